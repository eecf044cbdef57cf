import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as callback } from "@/app/api/v1/auth/oidc/callback/route";
import { GET as start } from "@/app/api/v1/auth/oidc/start/route";
import { GET as auditLog } from "@/app/api/v1/audit-log/route";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { listAudit } from "@/lib/audit/query";
import { listUsers } from "@/lib/auth/users";

// A real OpenID provider on 127.0.0.1, driven through its own login and consent pages.
const accounts: Record<string, Record<string, unknown>> = {
  alice: { email: "alice@corp.example", email_verified: true, name: "Alice Ops", groups: ["staff", "custody-admins"] },
  ian: { email: "ian@corp.example", email_verified: true, name: "Ian Intern", groups: ["staff"] },
};
const clientSecret = "oidc-client-secret-for-tests-0123456789";
let server: Server;
let issuer: string;
let t: RouteHarness;
const noContext = { params: Promise.resolve({}) };

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: "custody", client_secret: clientSecret, redirect_uris: ["http://localhost/api/v1/auth/oidc/callback"], grant_types: ["authorization_code"], response_types: ["code"] }],
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...accounts[id] }) }),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["test-cookie-key-0123456789"] },
  });
  server.on("request", provider.callback());
  Object.assign(process.env, {
    CUSTODY_OIDC_ISSUER: issuer,
    CUSTODY_OIDC_CLIENT_ID: "custody",
    CUSTODY_OIDC_CLIENT_SECRET: clientSecret,
    CUSTODY_OIDC_ROLE_CLAIM: "groups",
    CUSTODY_OIDC_ROLE_MAP: "custody-admins=admin,custody-auditors=auditor",
  });
  t = await setupRouteHarness();
});
afterAll(async () => {
  await t?.handle.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Follows the provider's redirects with a cookie jar, signing in as `login` and consenting, until it redirects back to Custody. */
async function throughProvider(authUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair?.indexOf("=") ?? -1;
      if (pair && i > 0) jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  let url = authUrl;
  for (let step = 0; step < 12; step += 1) {
    if (url.startsWith("http://localhost/")) return url;
    let res = await fetch(url, { redirect: "manual", headers: { cookie: cookieHeader() } });
    remember(res);
    if (res.status === 200 && url.includes("/interaction/")) {
      const html = await res.text();
      const body = html.includes('value="login"') ? new URLSearchParams({ prompt: "login", login, password: "any" }) : new URLSearchParams({ prompt: "consent" });
      res = await fetch(url, { method: "POST", redirect: "manual", body, headers: { cookie: cookieHeader(), "content-type": "application/x-www-form-urlencoded" } });
      remember(res);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`provider stopped at ${url} with ${res.status}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url).toString();
  }
  throw new Error("too many redirects");
}

async function signInThroughProvider(login: string, next = "/audit-log") {
  const begun = await start(new Request(`http://localhost/api/v1/auth/oidc/start?next=${encodeURIComponent(next)}`), noContext);
  if (begun.status !== 302) throw new Error(await begun.text());
  const authUrl = begun.headers.get("location") ?? "";
  expect(authUrl.startsWith(`${issuer}/`)).toBe(true);
  expect(new URL(authUrl).searchParams.get("code_challenge_method")).toBe("S256");
  const flow = (begun.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const back = await throughProvider(authUrl, login);
  return { back, flow, res: await callback(new Request(back, { headers: { cookie: flow } }), noContext) };
}

describe("sign-in through an OpenID Connect provider", () => {
  it("signs in with the code flow and PKCE, provisions the user with the mapped role, and the session works", async () => {
    const { res } = await signInThroughProvider("alice");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/audit-log");
    const session = res.headers.getSetCookie().find((c) => c.startsWith("custody_session="));
    expect(session).toMatch(/HttpOnly; SameSite=Lax/);
    const alice = (await listUsers(t.handle.db)).find((u) => u.email === "alice@corp.example");
    expect(alice?.role).toBe("admin");
    expect(alice?.oidcSubject).toBe(`${issuer}|alice`);
    const page = await auditLog(new Request("http://localhost/api/v1/audit-log", { headers: { cookie: (session ?? "").split(";")[0] ?? "" } }), noContext);
    expect(page.status).toBe(200);
    const body = (await page.json()) as { entries: { action: string; actor: string; details: Record<string, unknown> }[] };
    expect(body.entries[0]).toMatchObject({ action: "auth.sign-in", actor: "alice@corp.example", details: { method: "oidc", role: "admin" } });
  });

  it("returns to this site only, whatever next the sign-in started with", async () => {
    const { res } = await signInThroughProvider("alice", "/\t/evil.example");
    const location = new URL(res.headers.get("location") ?? "", "http://localhost");
    expect(location.origin).toBe("http://localhost");
    expect(location.pathname).toBe("/");
  });

  it("refuses a flow cookie changed on the way (it is signed with CUSTODY_SESSION_SECRET)", async () => {
    const begun = await start(new Request("http://localhost/api/v1/auth/oidc/start?next=/audit-log"), noContext);
    const cookie = (begun.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const [name, value = ""] = cookie.split("=");
    const [payload = "", mac = ""] = value.split(".");
    expect(mac).toMatch(/^[\w-]{43}$/);
    const flow = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, string>;
    const changed = `${name}=${Buffer.from(JSON.stringify({ ...flow, next: "/settings/tokens" })).toString("base64url")}.${mac}`;
    const back = await throughProvider(begun.headers.get("location") ?? "", "alice");
    const res = await callback(new Request(back, { headers: { cookie: changed } }), noContext);
    expect(res.headers.get("location")).toBe("/sign-in?error=oidc");
    expect(res.headers.getSetCookie().some((c) => c.includes("custody_session="))).toBe(false);
  });

  it("refuses a person whose groups map to no Custody role, and records the refusal", async () => {
    const { res } = await signInThroughProvider("ian");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?error=no-role");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("custody_session="))).toBe(false);
    expect((await listUsers(t.handle.db)).some((u) => u.email === "ian@corp.example")).toBe(false);
    const [last] = (await listAudit(t.handle.db)).entries;
    expect(last).toMatchObject({ action: "auth.sign-in", outcome: "failure", actor: "ian@corp.example" });
  });

  it("refuses a callback replayed without its flow cookie or with a tampered state", async () => {
    const { back, flow } = await signInThroughProvider("alice");
    const replay = await callback(new Request(back, { headers: { cookie: flow } }), noContext);
    expect(replay.headers.get("location")).toBe("/sign-in?error=oidc");
    const noCookie = await callback(new Request(back), noContext);
    expect(noCookie.headers.get("location")).toBe("/sign-in?error=oidc");
    const forged = new URL(back);
    forged.searchParams.set("state", "forged");
    const tampered = await callback(new Request(forged.toString(), { headers: { cookie: flow } }), noContext);
    expect(tampered.headers.get("location")).toBe("/sign-in?error=oidc");
  });
});
