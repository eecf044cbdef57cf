import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterAuditEvents, findings, ledgerEvents } from "@/db/schema";
import { createToken } from "@/lib/auth/tokens";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

const fixture = readFileSync(path.join(process.cwd(), "lib/ingest/kubernetes/fixtures/audit-eventlist.json"), "utf8");
let t: RouteHarness;
let token: string;
beforeAll(async () => {
  t = await setupRouteHarness();
  ({ token } = await createToken(t.handle.db, { name: "apiserver-audit-webhook", scopes: ["ingest"], createdBy: "test" }));
});
afterAll(async () => t?.handle.close());

const post = (body: string, query = "?environment=production", headers: Record<string, string> = {}) =>
  POST(new Request(`http://localhost/api/v1/k8s/audit${query}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers }, body }), noContext);
const ledgerRows = async () => (await t.handle.db.select({ seq: ledgerEvents.seq }).from(ledgerEvents)).length;

describe("POST /api/v1/k8s/audit (the API server's audit webhook backend)", () => {
  it("keeps people's shells, attaches, ephemeral containers and kubectl writes, and names the person and whom they impersonated", async () => {
    const res = await post(fixture);
    expect(res.status).toBe(202);
    const items = (JSON.parse(fixture) as { items: unknown[] }).items.length;
    expect(await res.json()).toMatchObject({ received: items, accepted: expect.any(Number), duplicates: 0 });
    await evaluationSettled(t.handle.db);
    const stored = await t.handle.db.select().from(clusterAuditEvents);
    // Service accounts and nodes are not people; the refused exec changed nothing.
    expect(stored.every((e) => !e.username.startsWith("system:"))).toBe(true);
    expect(stored.find((e) => e.username === "frank@acme.com")).toMatchObject({ subresource: "exec", impersonatedUser: "system:serviceaccount:shop:deployer" });
    const execs = await t.handle.db.select().from(findings).where(eq(findings.ruleId, "drift.exec-into-container"));
    expect(execs.map((f) => f.actor).sort()).toEqual(["alice@acme.com", "bob@acme.com", "carol@acme.com", "frank@acme.com"]);
    const [frank] = await t.handle.db.select().from(findings).where(and(eq(findings.ruleId, "drift.exec-into-container"), eq(findings.actor, "frank@acme.com")));
    expect(frank?.summary).toContain("frank@acme.com (as system:serviceaccount:shop:deployer) opened an exec session");
    expect(frank?.evidence).toMatchObject({ user: "frank@acme.com", impersonatedUser: "system:serviceaccount:shop:deployer" });
  });

  it("stores a resent batch once", async () => {
    const before = await ledgerRows();
    const res = await post(fixture);
    expect(await res.json()).toMatchObject({ accepted: 0 });
    expect(await ledgerRows()).toBe(before);
  });

  it("answers 413 over the size limit, 400 without an environment or for another body, and stores nothing", async () => {
    const before = await ledgerRows();
    const big = JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", items: [{ pad: "x".repeat(6 * 1024 * 1024) }] });
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect((await errorOf(tooBig)).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await errorOf(await post(fixture, ""))).code).toBe("VALIDATION");
    const notAList = await post(JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1" }));
    expect(notAList.status).toBe(400);
    expect((await errorOf(notAList)).message).toContain("EventList");
    expect(await ledgerRows()).toBe(before);
  });
});
