import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/db/testing";
import { signInWithPassword } from "../auth/sign-in";
import { ensureDemoUsers } from "../auth/users";
import { demoUsers } from "./users";

let h: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

describe("demo accounts outside the embedded trial", () => {
  it("get random passwords, returned once, and the public ones do not work", async () => {
    const created = await ensureDemoUsers(h.db, "random");
    expect(created.map((u) => u.email).sort()).toEqual(demoUsers.map((u) => u.email).sort());
    const admin = demoUsers.find((u) => u.role === "admin");
    const given = created.find((u) => u.email === admin?.email);
    expect(given?.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(given?.password).not.toBe(admin?.password);
    const meta = { ip: "10.3.0.1", userAgent: null };
    await expect(signInWithPassword(h.db, { email: admin?.email ?? "", password: given?.password ?? "" }, meta)).resolves.toHaveProperty("cookieValue");
    await expect(signInWithPassword(h.db, { email: admin?.email ?? "", password: admin?.password ?? "" }, meta)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(await ensureDemoUsers(h.db, "random")).toEqual([]);
  });
});
