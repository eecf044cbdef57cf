import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, gitopsStatuses, ledgerEvents } from "@/db/schema";
import { gitopsSnapshotBatches } from "@/lib/cli/gitops-commands";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { ingestEvents } from "@/lib/ingest/events-api";
import { rebuildProjections } from "@/lib/ingest/replay";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

// Flux's own documentation examples (Apache-2.0): lib/ingest/flux/fixtures/README.md.
const fixture = (name: string) => readFileSync(new URL(`../../../../../lib/ingest/flux/fixtures/${name}.json`, import.meta.url), "utf8");

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const post = (body: string, opts: { environment?: string | null; token?: string | null } = {}) => {
  const environment = opts.environment === undefined ? "production" : opts.environment;
  const token = opts.token === undefined ? t.tokens.ingest : opts.token;
  const headers: Record<string, string> = { "content-type": "application/json", "gotk-component": "kustomize-controller" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const url = `http://localhost/api/v1/webhooks/flux${environment === null ? "" : `?environment=${environment}`}`;
  return POST(new Request(url, { method: "POST", headers, body }), noContext);
};

describe("POST /api/v1/webhooks/flux with the notification-controller's documented events", () => {
  it.each([
    ["generic-webhook-kustomization-error", "Kustomization", "apps", "webapp", "main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", "ValidationFailed", "error"],
    ["event-kustomization-error", "Kustomization", "apps", "webapp", "main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", "ValidationFailed", "error"],
    ["generic-webhook-gitrepository-info", "GitRepository", "flux-system", "flux-system", null, "info", "info"],
  ])("stores %s as a status of the object it is about", async (name, kind, namespace, object, revision, reason, severity) => {
    const res = await post(fixture(name));
    expect(res.status).toBe(202);
    const { delivery, status } = (await res.json()) as { delivery: string; status: string };
    expect(status).toBe("stored");
    expect((await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, delivery)))[0]).toMatchObject({ source: "flux", status: "used" });
    const rows = await t.handle.db.select().from(gitopsStatuses).where(and(eq(gitopsStatuses.kind, kind), eq(gitopsStatuses.name, object)));
    expect(rows.at(-1)).toMatchObject({ tool: "flux", environment: "production", namespace, revision, reason, severity, sourceKind: "token", sourceId: "ci" });
  });

  it("answers duplicate for the same event sent twice", async () => {
    const res = await post(fixture("generic-webhook-kustomization-error"));
    expect(await res.json()).toMatchObject({ status: "duplicate" });
  });

  it("401 without a token, 403 with a read-only token, 400 without an environment or for a body that is not a Flux event; nothing stored", async () => {
    const before = (await t.handle.db.select().from(ledgerEvents)).length;
    expect((await post(fixture("event-kustomization-error"), { token: null })).status).toBe(401);
    expect((await post(fixture("event-kustomization-error"), { token: t.tokens.read })).status).toBe(403);
    const noEnv = await post(fixture("event-kustomization-error"), { environment: null });
    expect(noEnv.status).toBe(400);
    expect((await errorOf(noEnv)).message).toMatch(/environment/);
    expect((await post(JSON.stringify({ hello: "world" }))).status).toBe(400);
    expect((await t.handle.db.select().from(ledgerEvents)).length).toBe(before);
  });
});

/** A Kustomization and a HelmRelease as `kubectl get ... -o json` lists them (Flux v2 API shapes). */
function fluxList(suspend: boolean) {
  const ready = { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", lastTransitionTime: "2026-12-01T10:00:00Z" };
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "webapp", namespace: "apps" }, spec: { interval: "10m", path: "./apps/webapp", prune: true, suspend, sourceRef: { kind: "GitRepository", name: "flux-system" } }, status: { lastAppliedRevision: "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", conditions: [ready] } },
      { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "podinfo", namespace: "apps" }, spec: { interval: "5m", chart: { spec: { chart: "podinfo", version: "6.x" } } }, status: { lastAppliedRevision: "6.5.4", conditions: [ready] } },
    ],
  };
}

describe("custody snapshot flux", () => {
  const snapshot = async (suspend: boolean, environment: string, at: string) => {
    const { batches } = gitopsSnapshotBatches("flux", JSON.stringify(fluxList(suspend)), environment, at);
    for (const b of batches) await ingestEvents(t.handle.db, b, JSON.stringify(b));
    await evaluationSettled(t.handle.db);
  };
  const open = async (environment: string) =>
    (await t.handle.db.select().from(findings).where(and(eq(findings.environment, environment), eq(findings.status, "open")))).filter((f) => f.ruleId === "drift.gitops-suspended");

  it("a suspended Kustomization in production is a drift finding; in staging it is not; resumed, it resolves", async () => {
    await snapshot(true, "staging", "2026-12-01T11:00:00Z");
    expect(await open("staging")).toEqual([]);
    await snapshot(true, "production", "2026-12-01T11:00:00Z");
    expect(await open("production")).toEqual([expect.objectContaining({ subjectKey: "production/flux/apps/Kustomization/webapp", severity: "high" })]);
    const [row] = await t.handle.db.select().from(gitopsStatuses).where(and(eq(gitopsStatuses.name, "webapp"), eq(gitopsStatuses.suspended, true)));
    expect(row).toMatchObject({ revision: "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", health: "Ready" });
    await snapshot(false, "production", "2026-12-01T12:00:00Z");
    expect(await open("production")).toEqual([]);
  });

  it("a rebuild from the ledger replays the Flux events and snapshots", async () => {
    const before = await t.handle.db.select().from(gitopsStatuses);
    await rebuildProjections(t.handle.db);
    expect((await t.handle.db.select().from(gitopsStatuses)).length).toBe(before.length);
  });
});
