import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { sessionCookies } from "@/lib/auth/testing";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as environments } from "../environments/route";
import { GET as state } from "../environments/[name]/state/route";
import { GET as deploymentList } from "../deployments/route";
import { GET as deployment } from "../deployments/[id]/route";
import { GET as findingList } from "../findings/route";
import { POST as waive } from "../findings/[id]/waivers/route";
import { DELETE as revoke, PATCH as extend } from "../findings/[id]/waivers/[waiverId]/route";
import { POST as approve } from "../findings/[id]/waiver-requests/[requestId]/approve/route";
import { listAudit } from "@/lib/audit/query";
import { GET as promotion } from "../promotion/route";
import { GET as trace } from "./[...ref]/route";

let h: RouteHarness;
let compliance: Record<string, string>;
let admin: Record<string, string>;
const good = change({ key: "api-good" });
const skipped = change({ key: "api-skip", skipStaging: true, productionAt: 3000 });

beforeAll(async () => {
  h = await setupRouteHarness();
  const body = { events: [...good.events, ...skipped.events] };
  await ingestEvents(h.handle.db, body, JSON.stringify(body));
  const cookies = await sessionCookies(h.handle.db);
  compliance = { cookie: cookies.compliance, origin: "http://localhost" };
  admin = { cookie: cookies.admin, origin: "http://localhost" };
});
afterAll(async () => h.handle.close());

const get = (path: string, init: RequestInit = {}) =>
  new Request(`http://localhost${path}`, { ...init, headers: { authorization: `Bearer ${h.tokens.read}`, ...(init.headers ?? {}) } });
const params = <T>(p: T) => ({ params: Promise.resolve(p) });

describe("evidence API", () => {
  it("answers what ran in production at 10:00 and who approved it", async () => {
    const res = await state(get("/api/v1/environments/production/state?at=2026-03-14T10:30:00Z"), params({ name: "production" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { workloads: { service: string; digest: string; approvers: string[]; missing: string[] }[] };
    expect(body.workloads).toEqual([expect.objectContaining({ service: "checkout", digest: good.digest, approvers: ["jchen"], missing: [] })]);
  });

  it("gives each rule's title and controls once, and every gate check of the state names its rule", async () => {
    const res = await state(get("/api/v1/environments/production/state?at=2026-03-14T10:30:00Z"), params({ name: "production" }));
    const body = (await res.json()) as {
      workloads: { gates: Record<string, unknown>[] }[];
      rules: Record<string, { gate: string; title: string; controls: { framework: string; id: string }[] }>;
    };
    const gates = body.workloads.flatMap((w) => w.gates);
    expect(gates.length).toBeGreaterThan(10);
    for (const g of gates) {
      expect(Object.keys(g)).not.toContain("title");
      expect(body.rules[String(g.check)], String(g.check)).toMatchObject({ gate: g.gate, title: expect.any(String) });
    }
    expect(Object.keys(body.rules).sort()).toEqual([...new Set(gates.map((g) => String(g.check)))].sort());
    expect(body.rules["merge.independent-approval"]?.controls).toContainEqual(expect.objectContaining({ framework: "soc2", id: "CC8.1" }));
    // The deployment's own answer keeps the rule's text beside each check.
    const one = (await (await deployment(get(`/api/v1/deployments/${good.prodDeploymentId}`), params({ id: good.prodDeploymentId }))).json()) as { gates: { check: string; title: string }[] };
    expect(one.gates.find((g) => g.check === "merge.independent-approval")?.title).toBe(body.rules["merge.independent-approval"]?.title);
  });

  it("traces a digest, a short commit SHA, a pull request and a pipeline run to their chains", async () => {
    for (const ref of [good.digest, good.mergeSha.slice(0, 7), encodeURIComponent(good.pr), good.ciRunId]) {
      const res = await trace(get(`/api/v1/trace/${ref}`), params({ ref: [ref] }));
      expect(res.status, ref).toBe(200);
      const body = (await res.json()) as { chains: { environment: string; digest: string }[] };
      expect(body.chains.map((c) => c.environment).sort()).toEqual(["production", "staging"]);
    }
  });

  it("names the missing staging link of a change that skipped staging", async () => {
    const res = await deployment(get(`/api/v1/deployments/${skipped.prodDeploymentId}`), params({ id: skipped.prodDeploymentId }));
    const body = (await res.json()) as { missing: string[]; gates: { check: string; result: string; controls: { id: string }[] }[] };
    expect(body.missing).toEqual(["stagingDeployment"]);
    expect(body.gates.find((g) => g.check === "prod.staging-verified")).toMatchObject({ result: "fail" });
  });

  it("pages deployments newest first with an opaque cursor", async () => {
    const first = (await (await deploymentList(get("/api/v1/deployments?limit=2"), noContext)).json()) as { items: { deployedAt: string }[]; nextCursor: string };
    const second = (await (await deploymentList(get(`/api/v1/deployments?limit=2&cursor=${first.nextCursor}`), noContext)).json()) as { items: { deployedAt: string }[]; nextCursor: string | null };
    const times = [...first.items, ...second.items].map((d) => d.deployedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(second.nextCursor).toBeNull();
  });

  it("lists environments, promotion, and open findings that can be waived and unwaived", async () => {
    expect((await environments(get("/api/v1/environments"), noContext)).status).toBe(200);
    const promo = (await (await promotion(get("/api/v1/promotion?at=2026-03-17T00:00:00Z"), noContext)).json()) as { services: { service: string; passedStagingFirst: boolean }[] };
    expect(promo.services).toEqual([expect.objectContaining({ service: "checkout", passedStagingFirst: false })]);
    const list = (await (await findingList(get("/api/v1/findings?status=open&rule=prod.staging-verified"), noContext)).json()) as { items: { id: number; waiver: unknown }[] };
    const f = list.items[0];
    expect(f?.waiver).toBeNull();
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    // Compliance asks; nothing is waived until a second signed-in person approves.
    const requested = await waive(
      new Request(`http://localhost/api/v1/findings/${f?.id}/waivers`, { method: "POST", headers: { ...compliance, "content-type": "application/json" }, body: JSON.stringify({ justification: "Search index hotfix; staging rebuilt next sprint", expiresAt }) }),
      params({ id: String(f?.id) }),
    );
    expect(requested.status).toBe(201);
    const request = (await requested.json()) as { id: number; status: string; requestedBy: string };
    expect(request).toMatchObject({ status: "requested", requestedBy: "compliance@custody.demo" });
    const pending = (await (await findingList(get("/api/v1/findings?status=open&rule=prod.staging-verified"), noContext)).json()) as { items: { waiver: unknown }[] };
    expect(pending.items[0]?.waiver).toBeNull();
    const approveAs = (headers: Record<string, string>) =>
      approve(new Request(`http://localhost/api/v1/findings/${f?.id}/waiver-requests/${request.id}/approve`, { method: "POST", headers }), params({ id: String(f?.id), requestId: String(request.id) }));
    const own = await approveAs(compliance);
    expect(own.status).toBe(403);
    expect((await errorOf(own)).message).toContain("cannot also approve it (two people)");
    const approved = await approveAs(admin);
    expect(approved.status).toBe(201);
    const w = (await approved.json()) as { id: number; active: boolean; approver: string; createdBy: string };
    expect(w).toMatchObject({ active: true, approver: "admin@custody.demo", createdBy: "compliance@custody.demo" });
    expect((await approveAs(admin)).status).toBe(409);
    const again = (await (await findingList(get("/api/v1/findings?status=open&rule=prod.staging-verified"), noContext)).json()) as { items: { waiver: { id: number } | null }[] };
    expect(again.items[0]?.waiver?.id).toBe(w.id);
    const extendAs = (headers: Record<string, string>, days: number) =>
      extend(
        new Request(`http://localhost/api/v1/findings/${f?.id}/waivers/${w.id}`, { method: "PATCH", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() }) }),
        params({ id: String(f?.id), waiverId: String(w.id) }),
      );
    expect((await extendAs(compliance, 14)).status).toBe(403);
    expect((await extendAs(admin, 14)).status).toBe(200);
    const revoked = await revoke(new Request(`http://localhost/api/v1/findings/${f?.id}/waivers/${w.id}`, { method: "DELETE", headers: compliance }), params({ id: String(f?.id), waiverId: String(w.id) }));
    expect(((await revoked.json()) as { active: boolean }).active).toBe(false);
    const actions = (await listAudit(h.handle.db, { limit: 500 })).entries.filter((e) => e.action.startsWith("waiver.")).map((e) => `${e.action} by ${e.actor}`);
    expect(actions.reverse()).toEqual([
      "waiver.request by compliance@custody.demo",
      "waiver.approve by admin@custody.demo",
      "waiver.extend by admin@custody.demo",
      "waiver.revoke by compliance@custody.demo",
    ]);
  });
});

describe("bad input", () => {
  it("404s an unknown reference, deployment and environment in the contract's shape", async () => {
    const r1 = await trace(get("/api/v1/trace/sha256:" + "0".repeat(64)), params({ ref: ["sha256:" + "0".repeat(64)] }));
    expect(r1.status).toBe(404);
    expect((await errorOf(r1)).code).toBe("NOT_FOUND");
    expect((await deployment(get("/api/v1/deployments/nope"), params({ id: "nope" }))).status).toBe(404);
    expect((await state(get("/api/v1/environments/qa/state"), params({ name: "qa" }))).status).toBe(404);
  });

  it("400s a malformed time or cursor", async () => {
    const r1 = await state(get("/api/v1/environments/production/state?at=14-03-2026"), params({ name: "production" }));
    expect(r1.status).toBe(400);
    expect((await errorOf(r1)).message).toContain("at:");
    const r2 = await deploymentList(get("/api/v1/deployments?cursor=not-a-cursor"), noContext);
    expect((await errorOf(r2)).code).toBe("VALIDATION");
  });

  it("refuses a waiver from a read token, or past the maximum length", async () => {
    expect((await findingList(new Request("http://localhost/api/v1/findings"), noContext)).status).toBe(401);
    const body = JSON.stringify({ justification: "Search index hotfix; staging rebuilt", expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const byToken = await waive(get("/api/v1/findings/1/waivers", { method: "POST", headers: { "content-type": "application/json" }, body }), params({ id: "1" }));
    expect(byToken.status).toBe(403);
    const res = await waive(
      new Request("http://localhost/api/v1/findings/1/waivers", { method: "POST", headers: { ...compliance, "content-type": "application/json" }, body: JSON.stringify({ justification: "Forever is fine by me", expiresAt: "2099-01-01T00:00:00Z" }) }),
      params({ id: "1" }),
    );
    expect(res.status).toBe(400);
    // The old shape named its own approver: refused, saying how approval works now.
    const named = await waive(
      new Request("http://localhost/api/v1/findings/1/waivers", { method: "POST", headers: { ...compliance, "content-type": "application/json" }, body: JSON.stringify({ justification: "Search index hotfix; staging rebuilt", approver: "ciso@acme.example", expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) }),
      params({ id: "1" }),
    );
    expect(named.status).toBe(400);
    expect((await errorOf(named)).message).toContain("approver:");
  });
});
