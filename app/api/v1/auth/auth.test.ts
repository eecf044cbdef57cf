import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { listAudit } from "@/lib/audit/query";
import { verifyAuditLog } from "@/lib/audit/verify";
import { IP_LIMIT } from "@/lib/auth/sign-in";
import { ensureDemoUsers } from "@/lib/auth/users";
import { demoUsers } from "@/lib/demo/users";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as auditLog } from "../audit-log/route";
import { POST as signIn } from "./sign-in/route";
import { POST as signOut } from "./sign-out/route";

let t: RouteHarness;
const [admin, , manager] = demoUsers;
if (!admin || !manager) throw new Error("demo users missing");

beforeAll(async () => {
  t = await setupRouteHarness();
  await ensureDemoUsers(t.handle.db);
});
afterAll(async () => t?.handle.close());

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/v1/auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost", "x-custody-peer": "192.0.2.1", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
const cookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("custody_session="))?.split(";")[0] ?? "";
const readAudit = (cookie: string) => auditLog(new Request("http://localhost/api/v1/audit-log", { headers: { cookie } }), noContext);
async function counts() {
  const [row] = await queryRows<{ users: number; sessions: number; tokens: number }>(
    t.handle.db,
    sql`select (select count(*)::int from users) as users, (select count(*)::int from sessions where revoked_at is null) as sessions, (select count(*)::int from api_tokens) as tokens`,
  );
  return row;
}
const lastAudit = async () => (await listAudit(t.handle.db)).entries[0];

describe("sign-in and sign-out", () => {
  it("the sign-in form sets an httpOnly SameSite=Lax session cookie (no Secure on localhost) and returns to next", async () => {
    const res = await signIn(form({ email: admin.email, password: admin.password, next: "/audit-log" }), noContext);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/audit-log");
    const set = res.headers.getSetCookie().join("\n");
    expect(set).toMatch(/custody_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    expect((await readAudit(cookieOf(res))).status).toBe(200);
  });

  it("names the cookie __Host-custody_session where it is Secure, and takes no plain-named cookie there", async () => {
    const req = new Request("https://custody.example.com/api/v1/auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://custody.example.com", host: "custody.example.com" },
      body: new URLSearchParams({ email: admin.email, password: admin.password }).toString(),
    });
    const set = (await signIn(req, noContext)).headers.getSetCookie().find((c) => c.startsWith("__Host-custody_session=")) ?? "";
    expect(set).toMatch(/^__Host-custody_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
    const value = set.split(";")[0]?.split("=")[1] ?? "";
    const read = (cookie: string) => auditLog(new Request("https://custody.example.com/api/v1/audit-log", { headers: { cookie } }), noContext);
    expect((await read(`__Host-custody_session=${value}`)).status).toBe(200);
    // A cookie without the prefix can be planted by a sibling subdomain: not a session on https.
    expect((await read(`custody_session=${value}`)).status).toBe(401);
  });

  it("signs in at whatever address the person used: the server sees localhost, the browser 127.0.0.1", async () => {
    // next start binds to localhost; a person at http://127.0.0.1:3170 or a LAN address must land
    // back on that address, or the CSP's form-action 'self' blocks the redirect.
    const res = await signIn(
      form({ email: admin.email, password: admin.password, next: "/findings?status=open" }, { origin: "http://127.0.0.1:3170", host: "127.0.0.1:3170" }),
      noContext,
    );
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toBe("/findings?status=open");
    expect(new URL(location, "http://127.0.0.1:3170/sign-in").origin).toBe("http://127.0.0.1:3170");
    const wrong = await signIn(form({ email: admin.email, password: "wrong" }, { origin: "http://192.168.1.20:3170", host: "192.168.1.20:3170" }), noContext);
    expect(wrong.headers.get("location")).toBe("/sign-in?error=invalid&next=%2F");
  });

  it("marks the cookie Secure off localhost and refuses to redirect to another site", async () => {
    const req = new Request("https://custody.example.com/api/v1/auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://custody.example.com", host: "custody.example.com" },
      body: new URLSearchParams({ email: admin.email, password: admin.password, next: "//evil.example/x" }).toString(),
    });
    const res = await signIn(req, noContext);
    expect(res.headers.get("location")).toBe("/");
    expect(res.headers.getSetCookie().join()).toContain("; Secure");
  });

  it("keeps the sign-in form's redirect on this site whatever next says", async () => {
    for (const next of ["/\t/evil.example", "/\\evil.example", "/a/../..//evil.example", "https://evil.example/"]) {
      const res = await signIn(form({ email: admin.email, password: admin.password, next }), noContext);
      const location = new URL(res.headers.get("location") ?? "", "http://localhost");
      expect(location.origin).toBe("http://localhost");
      expect(location.pathname).toBe("/");
    }
  });

  it("a wrong password answers the form with an error and no cookie; JSON gets 401 in the error shape; both audited", async () => {
    const before = await counts();
    const res = await signIn(form({ email: manager.email, password: "not-the-password" }), noContext);
    expect(res.headers.get("location")).toBe("/sign-in?error=invalid&next=%2F");
    expect(cookieOf(res)).toBe("");
    const json = await signIn(
      new Request("http://localhost/api/v1/auth/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: manager.email, password: "nope-nope-nope" }) }),
      noContext,
    );
    expect(json.status).toBe(401);
    const body = await json.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: "UNAUTHENTICATED", message: "wrong email or password" } });
    expect(body).not.toContain("nope-nope-nope");
    expect(await lastAudit()).toMatchObject({ action: "auth.sign-in", outcome: "failure", actor: manager.email });
    expect(await counts()).toEqual(before);
  });

  it("refuses a cross-site sign-in form (login CSRF)", async () => {
    const res = await signIn(form({ email: admin.email, password: admin.password }, { origin: "https://evil.example" }), noContext);
    expect(res.headers.get("location")).toContain("/sign-in?error=forbidden");
    expect(cookieOf(res)).toBe("");
  });

  it("sign-out revokes the session: the same cookie replayed afterwards is refused and the attempt audited", async () => {
    const cookie = cookieOf(await signIn(form({ email: admin.email, password: admin.password }), noContext));
    const out = await signOut(new Request("http://localhost/api/v1/auth/sign-out", { method: "POST", headers: { cookie, origin: "http://localhost" } }), noContext);
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toContain("custody_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    const replay = await readAudit(cookie);
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).code).toBe("UNAUTHENTICATED");
    expect(await lastAudit()).toMatchObject({ action: "access.denied", outcome: "denied", target: "GET /api/v1/audit-log" });
  });

  it("refuses a cross-site sign-out (CSRF) and keeps the session", async () => {
    const cookie = cookieOf(await signIn(form({ email: admin.email, password: admin.password }), noContext));
    const res = await signOut(new Request("http://localhost/api/v1/auth/sign-out", { method: "POST", headers: { cookie, origin: "https://evil.example" } }), noContext);
    expect(res.status).toBe(403);
    expect((await readAudit(cookie)).status).toBe(200);
  });

  it("refuses an expired session and a forged cookie with 401, writing both to the audit log", async () => {
    const cookie = cookieOf(await signIn(form({ email: admin.email, password: admin.password }), noContext));
    await t.handle.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where revoked_at is null`);
    const before = await counts();
    expect((await readAudit(cookie)).status).toBe(401);
    expect((await readAudit("custody_session=forged-value-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(401);
    const [forged, expired] = (await listAudit(t.handle.db)).entries;
    expect([forged?.action, expired?.action]).toEqual(["access.denied", "access.denied"]);
    expect(await counts()).toEqual(before);
  });

  it("refuses a token without the permission (403) and a person's page permission for a role without it", async () => {
    const res = await readAudit("");
    expect(res.status).toBe(401);
    const tokenRes = await auditLog(new Request("http://localhost/api/v1/audit-log", { headers: { authorization: `Bearer ${t.tokens.read}` } }), noContext);
    expect(tokenRes.status).toBe(403);
    expect(await lastAudit()).toMatchObject({ action: "access.denied", actor: "token:auditor-tool", details: { permission: "audit:read", status: 403 } });
    const managerCookie = cookieOf(await signIn(form({ email: manager.email, password: manager.password }), noContext));
    const managerRes = await readAudit(managerCookie);
    expect(managerRes.status).toBe(403);
    expect((await errorOf(managerRes)).message).toBe("your role (manager) may not audit:read");
  });

  it("answers 429 RATE_LIMITED with Retry-After once an account is locked", async () => {
    const json = (password: string) =>
      signIn(new Request("http://localhost/api/v1/auth/sign-in", { method: "POST", headers: { "content-type": "application/json", "x-custody-peer": "192.0.2.77" }, body: JSON.stringify({ email: manager.email, password }) }), noContext);
    let res = await json("wrong-1-password");
    for (let i = 0; i < 5 && res.status !== 429; i += 1) res = await json(`wrong-${i}-password`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(60);
    expect((await errorOf(res)).code).toBe("RATE_LIMITED");
  });

  it("takes the address from the socket, not from an X-Forwarded-For the client wrote", async () => {
    const attempt = (i: number) =>
      signIn(
        new Request("http://localhost/api/v1/auth/sign-in", {
          method: "POST",
          headers: { "content-type": "application/json", "x-custody-peer": "192.0.2.150", "x-forwarded-for": `203.0.113.${i}` },
          body: JSON.stringify({ email: `spoofer${i}@example.com`, password: "guess guess guess" }),
        }),
        noContext,
      );
    const statuses: number[] = [];
    for (let i = 0; i <= IP_LIMIT.attempts; i += 1) statuses.push((await attempt(i)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(await lastAudit()).toMatchObject({ ip: "192.0.2.150" });
  });

  it("leaves a valid audit chain", async () => {
    expect(await verifyAuditLog(t.handle.db)).toMatchObject({ ok: true, firstBadSeq: null });
  });
});
