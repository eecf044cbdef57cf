import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { roleCan, roles, type Permission, type Role } from "@/lib/auth/permissions";
import { sessionCookies } from "@/lib/auth/testing";
import { helpDocs } from "@/lib/help/docs";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";

/**
 * The permission matrix of app/api/security.test.ts, for pages and server actions: every
 * page.tsx and every function a "use server" file exports, and who may call it. One missing here
 * fails the test, so a new page or action cannot ship without a decision on its access.
 * `public`: anyone; `redirect`: only sends the browser elsewhere (it shows nothing itself).
 *
 * Next's request scope is replaced by the test's request (next/headers), and the control-flow
 * calls are made to throw something recognisable (next/navigation); the database is real.
 */
type Access = Permission | "public" | "redirect";

const request = vi.hoisted(() => ({ headers: new Headers() }));
const Signal = vi.hoisted(
  () =>
    class Signal extends Error {
      constructor(
        readonly kind: "redirect" | "forbidden" | "notFound",
        readonly to = "",
      ) {
        super(`${kind} ${to}`);
      }
    },
);
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => {
    const jar = new Map(
      (request.headers.get("cookie") ?? "")
        .split(";")
        .map((p) => p.trim().split("="))
        .filter((kv): kv is [string, string] => kv.length === 2),
    );
    return { get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) };
  },
}));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  redirect: (to: string) => {
    throw new Signal("redirect", to);
  },
  forbidden: () => {
    throw new Signal("forbidden");
  },
  notFound: () => {
    throw new Signal("notFound");
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const form = (fields: Record<string, string> = {}) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

const pages: Record<string, { access: Access; params?: Record<string, string> }> = {
  "": { access: "evidence:read" },
  "account/password": { access: "evidence:read" },
  "audit-log": { access: "audit:read" },
  "deployments/[id]": { access: "evidence:read", params: { id: "1" } },
  engagements: { access: "engagements:read" },
  "engagements/[id]": { access: "engagements:read", params: { id: "999999" } },
  "invite/[token]": { access: "public", params: { token: "no-such-invitation-token-000000" } },
  environments: { access: "evidence:read" },
  "environments/[name]": { access: "evidence:read", params: { name: "production" } },
  findings: { access: "evidence:read" },
  "help/[doc]": { access: "evidence:read", params: { doc: "auditors" } },
  "findings/[id]": { access: "evidence:read", params: { id: "1" } },
  incidents: { access: "evidence:read" },
  "incidents/[id]": { access: "evidence:read", params: { id: "1" } },
  "incidents/new": { access: "incidents:write" },
  posture: { access: "evidence:read" },
  promotion: { access: "evidence:read" },
  reports: { access: "reports:export" },
  "settings/tokens": { access: "tokens:manage" },
  "settings/notifications": { access: "settings:manage" },
  "settings/users": { access: "users:manage" },
  "sign-in": { access: "public" },
  trace: { access: "redirect" },
  "trace/[ref]": { access: "evidence:read", params: { ref: "0123456789abcdef0123456789abcdef01234567" } },
};

const actions: Record<string, { access: Access; args: () => unknown[] }> = {
  "_queries/actions.ts#fetchOverview": { access: "evidence:read", args: () => [null, null] },
  "_queries/actions.ts#fetchFindings": { access: "evidence:read", args: () => [{}, null] },
  "_queries/actions.ts#fetchFindingCounts": { access: "evidence:read", args: () => [{}] },
  "account/password/actions.ts#changePasswordAction": { access: "evidence:read", args: () => [{}, form({ currentPassword: "x", newPassword: "differs", confirmPassword: "from this" })] },
  "engagements/actions.ts#createEngagementAction": { access: "engagements:manage", args: () => [{}, form({ name: "" })] },
  "engagements/actions.ts#inviteAuditorAction": { access: "engagements:manage", args: () => [{}, form({ id: "999999", email: "kim@auditfirm.test" })] },
  "engagements/actions.ts#endAuditorAction": { access: "engagements:manage", args: () => [{}, form({ id: "999999", userId: "1" })] },
  "engagements/actions.ts#drawSampleAction": { access: "engagements:audit", args: () => [{}, form({ id: "999999", size: "5" })] },
  "engagements/actions.ts#raiseRequestAction": { access: "engagements:audit", args: () => [{}, form({ id: "999999", title: "x" })] },
  "engagements/actions.ts#answerRequestAction": { access: "engagements:manage", args: () => [{}, form({ id: "999999", requestId: "1", body: "x" })] },
  "engagements/actions.ts#resolveRequestAction": { access: "engagements:audit", args: () => [{}, form({ id: "999999", requestId: "1", action: "accept" })] },
  "engagements/actions.ts#markTestAction": { access: "engagements:audit", args: () => [{}, form({ id: "999999", changeId: "c1", result: "pass" })] },
  "engagements/actions.ts#closeEngagementAction": { access: "engagements:audit", args: () => [{}, form({ id: "999999", conclusion: "x" })] },
  "invite/[token]/actions.ts#acceptInvitationAction": { access: "public", args: () => [{}, form({ token: "no-such-invitation-token-000000", password: "a-long-password-123", confirmPassword: "a-long-password-123" })] },
  "findings/[id]/actions.ts#waiverAction": { access: "findings:waive", args: () => [{}, form({ findingId: "999999", op: "revoke", waiverId: "1" })] },
  "incidents/actions.ts#openIncidentAction": { access: "incidents:write", args: () => [{}, form({ title: "", owner: "", environment: "" })] },
  "incidents/actions.ts#updateIncidentAction": { access: "incidents:write", args: () => [{}, form({ id: "999999" })] },
  "incidents/actions.ts#addStepAction": { access: "incidents:write", args: () => [{}, form({ id: "999999", step: "identify", notes: "x" })] },
  "incidents/actions.ts#closeIncidentAction": { access: "incidents:write", args: () => [{}, form({ id: "999999" })] },
  "settings/tokens/actions.ts#issueTokenAction": { access: "tokens:manage", args: () => [{}, form({ name: "" })] },
  "settings/tokens/actions.ts#revokeTokenAction": { access: "tokens:manage", args: () => [form({ id: "999999" })] },
  "settings/notifications/actions.ts#subscribeAction": { access: "settings:manage", args: () => [{}, form({ name: "" })] },
  "settings/users/actions.ts#createUserAction": { access: "users:manage", args: () => [{}, form({ email: "" })] },
  "settings/users/actions.ts#manageUserAction": { access: "users:manage", args: () => [{}, form({ id: "999999", op: "sessions" })] },
};

const appDir = import.meta.dirname;

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, found);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.includes(".test.")) found.push(path.relative(appDir, p).split(path.sep).join("/"));
  }
  return found.sort();
}
const pageDirs = () => walk(appDir).filter((f) => /(^|\/)page\.tsx$/.test(f)).map((f) => path.dirname(f).replace(/^\.$/, ""));
const serverFiles = () => walk(appDir).filter((f) => /^\s*["']use server["']/.test(readFileSync(path.join(appDir, f), "utf8")));

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

type Caller = { label: string; headers: Record<string, string>; role: Role | null };
async function callers(): Promise<Caller[]> {
  const cookies = await sessionCookies(t.handle.db);
  return [
    ...roles.map((r: Role) => ({ label: `${r} session`, headers: { cookie: cookies[r] }, role: r })),
    // Pages take a person's session only: a token is no one here.
    { label: "read token", headers: { authorization: `Bearer ${t.tokens.read}` }, role: null },
    { label: "no credentials", headers: {}, role: null },
  ];
}

/** Runs a page or action as `caller`: sent to sign-in, refused, or let through (whatever it then did). */
async function outcome(caller: Caller, fn: () => Promise<unknown>): Promise<"sign-in" | "forbidden" | "through"> {
  request.headers = new Headers({ host: "localhost", "x-custody-peer": "198.51.100.9", ...caller.headers });
  try {
    await fn();
  } catch (error) {
    if (error instanceof Signal && error.kind === "redirect" && error.to.startsWith("/sign-in")) return "sign-in";
    if (error instanceof Signal && error.kind === "forbidden") return "forbidden";
  }
  return "through";
}

function expected(access: Access, caller: Caller, dir?: string): "sign-in" | "forbidden" | "through" {
  if (access === "public" || access === "redirect") return "through";
  if (!caller.role) return "sign-in";
  // The overview sends an engagement auditor on to their engagement instead of refusing them.
  if (dir === "" && caller.role === "engagement-auditor") return "through";
  // The auditors' guide (the matrix's params) explains their workspace; the other guides are below.
  if (dir === "help/[doc]" && caller.role === "engagement-auditor") return "through";
  return roleCan(caller.role, access) ? "through" : "forbidden";
}

describe("every page and server action has an access decision", () => {
  it("the matrix names every page.tsx under app/", () => {
    const found = pageDirs();
    expect(found.length).toBeGreaterThan(5);
    for (const dir of found) expect(pages[dir], `app/${dir ? `${dir}/` : ""}page.tsx has no entry in the page matrix`).toBeDefined();
    expect(Object.keys(pages).sort()).toEqual([...found].sort());
  });

  it("the matrix names every function a \"use server\" file exports", async () => {
    const found: string[] = [];
    for (const file of serverFiles()) {
      const mod = (await import(path.join(appDir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) if (typeof value === "function") found.push(`${file}#${name}`);
    }
    expect(found.length).toBeGreaterThan(3);
    for (const key of found) expect(actions[key], `server action ${key} has no entry in the action matrix`).toBeDefined();
    expect(Object.keys(actions).sort()).toEqual(found.sort());
  });
});

describe("the help guides", () => {
  it("an engagement auditor opens the auditors' guide and no other; every other role opens every guide", async () => {
    const mod = (await import(path.join(appDir, "help/[doc]", "page.tsx"))) as { default: (props: unknown) => Promise<unknown> };
    for (const caller of await callers()) {
      if (!caller.role) continue;
      for (const doc of helpDocs) {
        const got = await outcome(caller, () => mod.default({ params: Promise.resolve({ doc }) }));
        const open = caller.role === "engagement-auditor" ? doc === "auditors" : roleCan(caller.role, "evidence:read");
        expect(got, `/help/${doc} as ${caller.label}`).toBe(open ? "through" : "forbidden");
      }
    }
  });
});

describe.each(Object.keys(pages))("page app/%s", (dir) => {
  it("shows itself to each role's session, and to no token or anonymous visitor, as the matrix says", async () => {
    const entry = pages[dir];
    if (!entry) throw new Error("no entry");
    const mod = (await import(path.join(appDir, dir, "page.tsx"))) as { default: (props: unknown) => Promise<unknown> };
    for (const caller of await callers()) {
      const got = await outcome(caller, () => mod.default({ params: Promise.resolve(entry.params ?? {}), searchParams: Promise.resolve({}) }));
      expect(got, `app/${dir} as ${caller.label}`).toBe(expected(entry.access, caller, dir));
    }
  });
});

describe.each(Object.keys(actions))("server action %s", (key) => {
  it("runs for each role's session, and for no token or anonymous caller, as the matrix says", async () => {
    const entry = actions[key];
    const [file = "", name = ""] = key.split("#");
    if (!entry) throw new Error("no entry");
    const mod = (await import(path.join(appDir, file))) as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const fn = mod[name];
    if (!fn) throw new Error(`${key} missing`);
    for (const caller of await callers()) {
      expect(await outcome(caller, () => fn(...entry.args())), `${key} as ${caller.label}`).toBe(expected(entry.access, caller));
    }
  });
});

describe("the sign-in page for someone already signed in", () => {
  it("sends them on to a path on this site only, whatever next says", async () => {
    const mod = (await import(path.join(appDir, "sign-in", "page.tsx"))) as { default: (props: unknown) => Promise<unknown> };
    const [admin] = await callers();
    request.headers = new Headers({ host: "localhost", ...admin?.headers });
    for (const [next, to] of [["/\t/evil.example", "/"], ["/\\evil.example", "/"], ["https://evil.example/", "/"], ["/audit-log", "/audit-log"]] as const) {
      const thrown = await mod.default({ searchParams: Promise.resolve({ next }) }).catch((e: unknown) => e);
      expect(thrown, next).toBeInstanceOf(Signal);
      expect((thrown as InstanceType<typeof Signal>).to, next).toBe(to);
    }
  });
});

describe("a form field holding a NUL, which Postgres cannot store", () => {
  const incidents = async () => Number((await queryRows<{ n: number }>(t.handle.db, sql`select count(*)::int as n from incidents`))[0]?.n);
  it("is answered in the form by every action that takes a form, and opens no incident", async () => {
    const all = await callers();
    const before = await incidents();
    for (const [key, entry] of Object.entries(actions)) {
      const args = entry.args();
      const last = args.at(-1);
      // Revoking a token takes only its id (a number, checked); the queries take no form.
      if (!(last instanceof FormData) || key.endsWith("#revokeTokenAction")) continue;
      const caller = all.find((c) => entry.access === "public" || (c.role !== null && roleCan(c.role, entry.access as Permission)));
      if (!caller) throw new Error(`no caller may run ${key}`);
      request.headers = new Headers({ host: "localhost", ...caller.headers });
      last.set("title", "outage\u0000");
      const [file = "", name = ""] = key.split("#");
      const fn = ((await import(path.join(appDir, file))) as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
      if (!fn) throw new Error(`${key} missing`);
      expect(await fn(...args), `${key} as ${caller.label}`).toEqual({ error: "The field “title” holds a NUL character (U+0000), which Custody cannot store: remove it and send the form again." });
    }
    // A whole, valid form to open an incident but for the NUL in its title.
    const open = (await import(path.join(appDir, "incidents/actions.ts"))) as { openIncidentAction: (...a: unknown[]) => Promise<unknown> };
    const admin = all.find((c) => c.role === "admin");
    request.headers = new Headers({ host: "localhost", ...admin?.headers });
    expect(await open.openIncidentAction({}, form({ title: "Checkout\u0000 down", owner: "admin@custody.demo", environment: "production" }))).toEqual({
      error: "The field “title” holds a NUL character (U+0000), which Custody cannot store: remove it and send the form again.",
    });
    expect(await incidents()).toBe(before);
  });
});
