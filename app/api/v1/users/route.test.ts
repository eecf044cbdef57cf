import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { listAudit } from "@/lib/audit/query";
import { sessionCookies } from "@/lib/auth/testing";
import { changeOwnPassword } from "@/lib/auth/user-admin";
import { createUser, findUserByEmail } from "@/lib/auth/users";
import type { Role } from "@/lib/auth/permissions";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as findings } from "../findings/route";
import { PATCH } from "./[id]/route";
import { POST as resetPassword } from "./[id]/password-reset/route";
import { DELETE as revokeSessions } from "./[id]/sessions/route";

let t: RouteHarness;
let cookies: Record<Role, string>;
let auditorId: number;
let adminId: number;

beforeAll(async () => {
  t = await setupRouteHarness();
  cookies = await sessionCookies(t.handle.db);
  auditorId = (await findUserByEmail(t.handle.db, "auditor@custody.demo"))?.id ?? 0;
  adminId = (await findUserByEmail(t.handle.db, "admin@custody.demo"))?.id ?? 0;
});
afterAll(async () => t?.handle.close());

const as = (cookie: string, method: string, path: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { cookie, origin: "http://localhost", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const ctx = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
const readFindings = (cookie: string) => findings(as(cookie, "GET", "/api/v1/findings"), { params: Promise.resolve({}) });
const lastAudit = async (action: string) => (await listAudit(t.handle.db, { limit: 200 })).entries.find((e) => e.action === action);

describe("managing people", () => {
  it("refuses a disabled user's open session on its very next request, and logs who disabled them", async () => {
    const auditor = (await sessionCookies(t.handle.db)).auditor;
    expect((await readFindings(auditor)).status).toBe(200);
    const res = await PATCH(as(cookies.admin, "PATCH", `/api/v1/users/${auditorId}`, { disabled: true }), ctx(auditorId));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: "auditor@custody.demo", disabledAt: expect.any(String) });
    const refused = await readFindings(auditor);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe("UNAUTHENTICATED");
    expect(await lastAudit("user.disable")).toMatchObject({ actor: "admin@custody.demo", target: "user:auditor@custody.demo" });
    expect((await PATCH(as(cookies.admin, "PATCH", `/api/v1/users/${auditorId}`, { disabled: false }), ctx(auditorId))).status).toBe(200);
    expect(await lastAudit("user.enable")).toBeDefined();
  });

  it("changes a role (ending the person's sessions) and refuses an unknown role with 400", async () => {
    const manager = await createUser(t.handle.db, { actor: "test", actorType: "system" }, { email: "promoted@example.com", role: "manager", password: "a long enough password" });
    const res = await PATCH(as(cookies.admin, "PATCH", `/api/v1/users/${manager.user.id}`, { role: "compliance" }), ctx(manager.user.id));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: "compliance" });
    expect(await lastAudit("user.role-change")).toMatchObject({ details: expect.objectContaining({ from: "manager", to: "compliance" }) });
    const bad = await PATCH(as(cookies.admin, "PATCH", `/api/v1/users/${manager.user.id}`, { role: "root" }), ctx(manager.user.id));
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: "VALIDATION", message: expect.stringContaining("role") });
    expect((await PATCH(as(cookies.admin, "PATCH", "/api/v1/users/999999", { role: "auditor" }), ctx(999999))).status).toBe(404);
  });

  it("refuses to disable or demote the last enabled admin with 409, changing nothing", async () => {
    for (const body of [{ disabled: true }, { role: "auditor" }]) {
      const res = await PATCH(as(cookies.admin, "PATCH", `/api/v1/users/${adminId}`, body), ctx(adminId));
      expect(res.status).toBe(409);
      expect(await errorOf(res)).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("last enabled admin") });
    }
    const [row] = await t.handle.db.select().from(users).where(eq(users.id, adminId));
    expect(row).toMatchObject({ role: "admin", disabledAt: null });
  });

  it("signs a person out everywhere", async () => {
    const manager = (await sessionCookies(t.handle.db)).manager;
    const managerId = (await findUserByEmail(t.handle.db, "manager@custody.demo"))?.id ?? 0;
    const res = await revokeSessions(as(cookies.admin, "DELETE", `/api/v1/users/${managerId}/sessions`), ctx(managerId));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ended: number }).ended).toBeGreaterThanOrEqual(2);
    expect((await readFindings(manager)).status).toBe(401);
  });

  it("resets a password to a one-time one that must be changed before anything else", async () => {
    const res = await resetPassword(as(cookies.admin, "POST", `/api/v1/users/${auditorId}/password-reset`), ctx(auditorId));
    expect(res.status).toBe(200);
    const { oneTimePassword } = (await res.json()) as { oneTimePassword: string };
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await lastAudit("user.password-reset")).toBeDefined();
    expect(JSON.stringify((await listAudit(t.handle.db, { limit: 200 })).entries)).not.toContain(oneTimePassword);
    const auditor = (await sessionCookies(t.handle.db)).auditor;
    const blocked = await readFindings(auditor);
    expect(blocked.status).toBe(403);
    expect((await errorOf(blocked)).message).toContain("one-time password");
    await changeOwnPassword(t.handle.db, { actor: "auditor@custody.demo", actorType: "user" }, auditorId, oneTimePassword, "a brand new passphrase 2026");
    expect((await readFindings(auditor)).status).toBe(200);
  });
});
