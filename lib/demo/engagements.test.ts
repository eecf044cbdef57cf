import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type createTestDatabase } from "@/db/testing";
import { engagements } from "@/db/schema";
import { signInWithPassword } from "../auth/sign-in";
import { ensureDemoUsers } from "../auth/users";
import { engagementPackage } from "../engagements/package";
import { engagementSummary } from "../engagements/summary";
import { testSigningKey } from "../reports/test-support";
import { verifyPackage } from "../reports/verify-package";
import { ensureDemoEngagements } from "./engagements";
import { demoUsers } from "./users";
import { demoDatabase } from "@/lib/testing/demo-database";

let h: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  h = await demoDatabase("30-days");
  await ensureDemoUsers(h.db);
}, 240_000);
afterAll(async () => h?.close());

describe("the demo's engagements", () => {
  it("are one signed-off engagement and one in progress, once, and the demo's external auditor can sign in to the open one", async () => {
    await ensureDemoEngagements(h.db);
    await ensureDemoEngagements(h.db);
    const rows = await h.db.select().from(engagements).orderBy(engagements.id);
    expect(rows.map((e) => e.state)).toEqual(["closed", "open"]);
    const open = rows[1];
    if (!open) throw new Error("no open engagement");
    const s = await engagementSummary(h.db, open);
    expect(s.sample?.size).toBeGreaterThan(0);
    expect(s.requests.length).toBeGreaterThan(0);
    const external = demoUsers.find((u) => u.role === "engagement-auditor");
    await expect(signInWithPassword(h.db, { email: external?.email ?? "", password: external?.password ?? "" }, { ip: "10.0.0.9", userAgent: null })).resolves.toHaveProperty("cookieValue");
    const key = testSigningKey();
    const closed = rows[0];
    if (!closed) throw new Error("no closed engagement");
    const v = await verifyPackage((await engagementPackage(h.db, await engagementSummary(h.db, closed), key)).data, key.publicKeyPem);
    expect(v.ok).toBe(true);
  });
});
