import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { roleCan, roles, scopesCan, type Permission, type Role } from "@/lib/auth/permissions";
import { sessionCookies } from "@/lib/auth/testing";
import { demoUsers } from "@/lib/demo/users";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { serves } from "@/lib/http/respond";

/**
 * Every route under app/ and who may call it. A route or method missing here fails the test,
 * so a new endpoint cannot ship without a decision on its access.
 * `public`: no credentials needed (never 401/403); `signed`: GitHub's HMAC or GitLab's token, 401 without it.
 * Pages and server actions have their matrix in app/pages-and-actions.security.test.ts.
 */
type Access = Permission | "public" | "signed";
type Entry = { access: Access; path?: string; params?: Record<string, string | string[]>; body?: unknown };
const event = { id: "sec-1", type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" };
const admin = demoUsers[0];

const matrix: Record<string, Partial<Record<string, Entry>>> = {
  "api/health": { GET: { access: "public" } },
  "api/metrics": { GET: { access: "evidence:read" } },
  "api/v1/openapi.json": { GET: { access: "public" } },
  "api/v1/keys": { GET: { access: "public" } },
  "api/v1/events": { POST: { access: "ingest:write", body: event } },
  "api/v1/attestations/sigstore": { POST: { access: "ingest:write", body: JSON.parse(readFileSync(new URL("../../lib/provenance/fixtures/github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl", import.meta.url), "utf8")) as unknown } },
  "api/v1/k8s/audit": { POST: { access: "ingest:write", path: "api/v1/k8s/audit?environment=production", body: { kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: [] } } },
  "api/v1/admission": { POST: { access: "admission:review", body: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "sec-uid", operation: "DELETE", kind: { kind: "Pod" }, resource: { resource: "pods" }, namespace: "production" } } } },
  "api/v1/decisions": { POST: { access: "ingest:write", body: { gate: "deployment", environment: "staging", digest: `sha256:${"ab".repeat(32)}` } } },
  "api/v1/webhooks/github": { POST: { access: "signed", body: { zen: "hi" } } },
  "api/v1/notifications/subscriptions": {
    GET: { access: "settings:manage" },
    POST: { access: "settings:manage", body: { name: "ops", kind: "webhook", url: "https://hooks.example.com/custody", topics: ["finding"] } },
  },
  "api/v1/webhooks/flux": { POST: { access: "ingest:write", path: "api/v1/webhooks/flux?environment=production", body: { involvedObject: { kind: "Kustomization", name: "apps", namespace: "flux-system" }, severity: "info", reason: "ReconciliationSucceeded", message: "ok", reportingController: "kustomize-controller", timestamp: "2026-11-01T10:00:00Z" } } },
  "api/v1/webhooks/gitlab": { POST: { access: "signed", body: { object_kind: "push" } } },
  "api/v1/ledger/verify": { GET: { access: "evidence:read" } },
  "api/v1/ledger/checkpoint": { GET: { access: "evidence:read" } },
  "api/v1/ledger/checkpoints": { GET: { access: "evidence:read" } },
  "api/v1/ledger/proof/inclusion": { GET: { access: "evidence:read", path: "api/v1/ledger/proof/inclusion?index=0&treeSize=1" } },
  "api/v1/ledger/proof/consistency": { GET: { access: "evidence:read", path: "api/v1/ledger/proof/consistency?from=1&to=1" } },
  "api/v1/environments": { GET: { access: "evidence:read" } },
  "api/v1/environments/[name]/state": { GET: { access: "evidence:read", params: { name: "production" }, path: "api/v1/environments/production/state" } },
  "api/v1/deployments": { GET: { access: "evidence:read" } },
  "api/v1/deployments/[id]": { GET: { access: "evidence:read", params: { id: "1" }, path: "api/v1/deployments/1" } },
  "api/v1/trace/[...ref]": { GET: { access: "evidence:read", params: { ref: ["0123456789abcdef0123456789abcdef01234567"] }, path: "api/v1/trace/0123456789abcdef0123456789abcdef01234567" } },
  "api/v1/promotion": { GET: { access: "evidence:read" } },
  "api/v1/findings": { GET: { access: "evidence:read" } },
  "api/v1/findings/[id]/waivers": {
    GET: { access: "evidence:read", params: { id: "1" }, path: "api/v1/findings/1/waivers" },
    POST: { access: "findings:waive", params: { id: "1" }, path: "api/v1/findings/1/waivers", body: { justification: "accepted risk until the base image is rebuilt", expiresAt: "2027-01-31T00:00:00Z" } },
  },
  "api/v1/findings/[id]/waivers/[waiverId]": {
    DELETE: { access: "findings:waive", params: { id: "1", waiverId: "1" }, path: "api/v1/findings/1/waivers/1" },
    PATCH: { access: "findings:waive", params: { id: "1", waiverId: "1" }, path: "api/v1/findings/1/waivers/1", body: { expiresAt: "2027-01-31T00:00:00Z" } },
  },
  "api/v1/findings/[id]/waiver-requests/[requestId]/approve": {
    POST: { access: "findings:waive", params: { id: "1", requestId: "1" }, path: "api/v1/findings/1/waiver-requests/1/approve" },
  },
  "api/v1/incidents": {
    GET: { access: "evidence:read" },
    POST: { access: "incidents:write", body: { owner: "maya@acme.com", environment: "production", title: "Hand-edited config" } },
  },
  "api/v1/incidents/[id]": {
    GET: { access: "evidence:read", params: { id: "1" }, path: "api/v1/incidents/1" },
    PATCH: { access: "incidents:write", params: { id: "1" }, path: "api/v1/incidents/1", body: { owner: "maya@acme.com" } },
  },
  "api/v1/incidents/[id]/steps": { POST: { access: "incidents:write", params: { id: "1" }, path: "api/v1/incidents/1/steps", body: { step: "identify", notes: "configmap edited by hand" } } },
  "api/v1/incidents/[id]/close": { POST: { access: "incidents:write", params: { id: "1" }, path: "api/v1/incidents/1/close" } },
  "api/v1/reports/[framework]": { GET: { access: "reports:export", params: { framework: "soc2" }, path: "api/v1/reports/soc2?from=2026-10-01&to=2026-11-01&format=json" } },
  // Engagement 999999 does not exist: allowed callers get 404 (the demo engagement auditor has no engagement either).
  "api/v1/engagements": {
    GET: { access: "engagements:read" },
    POST: { access: "engagements:manage", body: { name: "Matrix", framework: "soc2", from: "2026-10-01", to: "2026-11-01", endsAt: "2099-01-31" } },
  },
  "api/v1/engagements/[id]": { GET: { access: "engagements:read", params: { id: "999999" }, path: "api/v1/engagements/999999" } },
  "api/v1/engagements/[id]/auditors": { POST: { access: "engagements:manage", params: { id: "999999" }, path: "api/v1/engagements/999999/auditors", body: { email: "kim@auditfirm.test" } } },
  "api/v1/engagements/[id]/auditors/[userId]": { DELETE: { access: "engagements:manage", params: { id: "999999", userId: "1" }, path: "api/v1/engagements/999999/auditors/1" } },
  "api/v1/engagements/[id]/population": { GET: { access: "engagements:read", params: { id: "999999" }, path: "api/v1/engagements/999999/population" } },
  "api/v1/engagements/[id]/sample": { POST: { access: "engagements:audit", params: { id: "999999" }, path: "api/v1/engagements/999999/sample", body: { size: "5" } } },
  "api/v1/engagements/[id]/requests": {
    GET: { access: "engagements:read", params: { id: "999999" }, path: "api/v1/engagements/999999/requests" },
    POST: { access: "engagements:audit", params: { id: "999999" }, path: "api/v1/engagements/999999/requests", body: { title: "PBC 1" } },
  },
  "api/v1/engagements/[id]/requests/[requestId]/answers": { POST: { access: "engagements:manage", params: { id: "999999", requestId: "1" }, path: "api/v1/engagements/999999/requests/1/answers", body: { body: "attached" } } },
  "api/v1/engagements/[id]/requests/[requestId]/resolution": { POST: { access: "engagements:audit", params: { id: "999999", requestId: "1" }, path: "api/v1/engagements/999999/requests/1/resolution", body: { action: "accept" } } },
  "api/v1/engagements/[id]/tests/[changeId]": { PUT: { access: "engagements:audit", params: { id: "999999", changeId: "c1" }, path: "api/v1/engagements/999999/tests/c1", body: { result: "pass" } } },
  "api/v1/engagements/[id]/close": { POST: { access: "engagements:audit", params: { id: "999999" }, path: "api/v1/engagements/999999/close", body: { conclusion: "fine" } } },
  "api/v1/engagements/[id]/attachments/[attachmentId]": { GET: { access: "engagements:read", params: { id: "999999", attachmentId: "1" }, path: "api/v1/engagements/999999/attachments/1" } },
  "api/v1/engagements/[id]/export": { GET: { access: "engagements:read", params: { id: "999999" }, path: "api/v1/engagements/999999/export?format=pdf" } },
  "api/v1/audit-log": { GET: { access: "audit:read" } },
  // A no-op role change of user 1; the others aim at a user that does not exist (404 once allowed).
  "api/v1/users/[id]": { PATCH: { access: "users:manage", params: { id: "1" }, path: "api/v1/users/1", body: { role: "admin" } } },
  "api/v1/users/[id]/sessions": { DELETE: { access: "users:manage", params: { id: "999999" }, path: "api/v1/users/999999/sessions" } },
  "api/v1/users/[id]/password-reset": { POST: { access: "users:manage", params: { id: "999999" }, path: "api/v1/users/999999/password-reset" } },
  "api/v1/audit-log/export": { GET: { access: "audit:read" } },
  "api/v1/[...path]": Object.fromEntries(
    (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map((m) => [m, { access: "public", params: { path: ["no", "such"] }, path: "api/v1/no/such" } satisfies Entry]),
  ),
  "api/v1/auth/sign-in": { POST: { access: "public", body: { email: admin?.email, password: admin?.password } } },
  "api/v1/auth/sign-out": { POST: { access: "public" } },
  "api/v1/auth/oidc/start": { GET: { access: "public" } },
  "api/v1/auth/oidc/callback": { GET: { access: "public" } },
};

const appDir = path.resolve(import.meta.dirname, "..");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function discoverRoutes(dir = appDir): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...discoverRoutes(p));
    else if (entry.name === "route.ts") found.push(path.relative(appDir, dir).split(path.sep).join("/"));
  }
  return found.sort();
}

type Caller = { label: string; headers: Record<string, string>; can: (p: Permission) => boolean; credentials: boolean };
let t: RouteHarness;
const secrets: string[] = [];
const bodies: string[] = [];

/** Fresh sessions for every route, since sign-out revokes the one it is called with. */
async function makeCallers(): Promise<Caller[]> {
  const cookies = await sessionCookies(t.handle.db);
  secrets.push(...Object.values(cookies).map((c) => c.split("=")[1] ?? ""));
  return [
    ...roles.map((r: Role) => ({ label: `${r} session`, headers: { cookie: cookies[r], origin: "http://localhost" }, can: (p: Permission) => roleCan(r, p), credentials: true })),
    { label: "read token", headers: { authorization: `Bearer ${t.tokens.read}` }, can: (p) => scopesCan(["read"], p), credentials: true },
    { label: "ingest token", headers: { authorization: `Bearer ${t.tokens.ingest}` }, can: (p) => scopesCan(["ingest"], p), credentials: true },
    { label: "admission token", headers: { authorization: `Bearer ${t.tokens.admission}` }, can: (p) => scopesCan(["admission"], p), credentials: true },
    { label: "no credentials", headers: {}, can: () => false, credentials: false },
  ];
}

beforeAll(async () => {
  // Configured, so the webhook answers for its signature (401) rather than for missing setup (503).
  process.env.GITHUB_WEBHOOK_SECRET ??= "security-test-webhook-secret-0123456789";
  process.env.GITLAB_WEBHOOK_SECRET ??= "security-test-gitlab-secret-0123456789";
  t = await setupRouteHarness();
  secrets.push(t.tokens.read, t.tokens.ingest, t.tokens.admission, t.tokens.both, t.tokens.revoked, ...demoUsers.map((u) => u.password));
});
afterAll(async () => t?.handle.close());

describe("every route has an access decision", () => {
  it("the matrix names every route.ts under app/ and every method it exports", async () => {
    const routes = discoverRoutes();
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) {
      const mod = (await import(path.join(appDir, route, "route.ts"))) as Record<string, unknown>;
      const exported = methods.filter((m) => serves(mod, m));
      expect(matrix[route], `app/${route}/route.ts has no entry in the security matrix`).toBeDefined();
      expect(Object.keys(matrix[route] ?? {}).sort(), `methods of app/${route}/route.ts`).toEqual([...exported].sort());
    }
  });
});

describe.each(discoverRoutes())("app/%s", (route) => {
  it("answers each role's session, each token scope and no credentials as the matrix says", async () => {
    const mod = (await import(path.join(appDir, route, "route.ts"))) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
    for (const [method, entry] of Object.entries(matrix[route] ?? {})) {
      if (!entry) continue;
      const callers = await makeCallers();
      const fn = mod[method];
      if (!fn) throw new Error(`${method} missing`);
      for (const caller of callers) {
        const url = `http://localhost/${entry.path ?? route}`;
        const headers: Record<string, string> = { ...caller.headers, "x-custody-peer": "198.51.100.7" };
        if (entry.body !== undefined) headers["content-type"] = "application/json";
        const req = new Request(url, { method, headers, body: entry.body === undefined ? undefined : JSON.stringify(entry.body) });
        const res = await fn(req, { params: Promise.resolve(entry.params ?? {}) });
        const text = await res.text();
        bodies.push(text, JSON.stringify([...res.headers]));
        const label = `${method} /${route} as ${caller.label}: ${res.status} ${text.slice(0, 200)}`;
        if (entry.access === "public") expect([401, 403], label).not.toContain(res.status);
        else if (entry.access === "signed") expect(res.status, label).toBe(401);
        else if (caller.can(entry.access)) expect([401, 403, 500], label).not.toContain(res.status);
        else expect(res.status, label).toBe(caller.credentials ? 403 : 401);
        if (res.status >= 400) expect(JSON.parse(text), label).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    }
  });
});

describe("no secret leaks", () => {
  it("no response body or header and no audit entry contains a token, a session id or a password", async () => {
    const audit = JSON.stringify(await t.handle.db.select().from(auditLog));
    expect(audit).toContain("access.denied");
    // One expect per list, not per (secret, body) pair: hundreds of secrets times thousands of bodies made
    // a million expect calls, seconds of matcher overhead for the same verdict.
    expect(secrets.filter((secret) => secret.length <= 10), "secrets too short to search for").toEqual([]);
    const leaks = secrets.flatMap((secret) => bodies.filter((b) => b.includes(secret)).map((b) => `${secret.slice(0, 6)}… in ${b.slice(0, 120)}`));
    expect(leaks, "a response carried a secret").toEqual([]);
    expect(secrets.filter((secret) => audit.includes(secret)).map((secret) => secret.slice(0, 6)), "the audit log carried a secret").toEqual([]);
  });
});
