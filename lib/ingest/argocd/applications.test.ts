import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { deployments, findings, gitopsStatuses } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { gitopsSnapshotBatches } from "../../cli/gitops-commands";
import { evaluationSettled } from "../../evaluation/queue";
import { ingestEvents } from "../events-api";
import { rebuildProjections } from "../replay";
import { applicationsToEvents } from "./applications";

// Argo CD's own test data (Apache-2.0): fixtures/README.md says where each came from.
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const velero = () => fixture("application-velero-test-history");
const workflows = () => fixture("application-argo-workflows-automated");
const list = (...items: unknown[]) => ({ apiVersion: "v1", kind: "List", items });

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

async function snapshot(input: unknown, environment: string, observedAt: string) {
  const { batches } = gitopsSnapshotBatches("argocd", JSON.stringify(input), environment, observedAt);
  for (const b of batches) await ingestEvents(handle.db, b, JSON.stringify(b));
  await evaluationSettled(handle.db);
}
const openFindings = async (environment: string) =>
  (await handle.db.select().from(findings).where(and(eq(findings.environment, environment), eq(findings.status, "open")))).filter((f) => f.ruleId.startsWith("drift.gitops-"));

describe("Argo CD Applications (kubectl get applications.argoproj.io -A -o json)", () => {
  it("each status.history entry is a deployment with its revision and time; the newest names who synced it", () => {
    const { events } = applicationsToEvents(list(velero()), { environment: "production", observedAt: "2026-12-01T12:00:00Z" });
    const deploys = events.filter((e) => e.type === "deployment");
    expect(deploys).toHaveLength(10);
    expect(deploys[9]).toMatchObject({ service: "velero-test", manifestCommitSha: "ea8759964626a583667a2bfd08f334ec2070040a", occurredAt: "2024-03-05T07:33:04Z", actor: "foo@example.com", actorType: "human", imageRef: "nginx:latest" });
    // Entries before Argo CD 2.11 carry no initiatedBy: nobody is named for them.
    expect(deploys[0]).toMatchObject({ actorType: "pipeline", imageRef: expect.stringContaining("https://github.com/foo/manifests-velero/instances/test@") });
    expect((deploys[0] as { actor?: string }).actor).toBeUndefined();
    const status = events.find((e) => e.type === "gitops_status");
    expect(status).toMatchObject({ tool: "argocd", namespace: "argo-cd", name: "velero-test", syncStatus: "Synced", automated: false, selfHeal: false, lastSync: { by: "foo@example.com", automated: false }, images: ["nginx:latest"] });
  });

  it("an automated sync is recorded as the controller's, with the running images", () => {
    const { events } = applicationsToEvents(workflows(), { environment: "production", observedAt: "2026-12-01T12:00:00Z" });
    expect(events.filter((e) => e.type === "deployment")).toEqual([
      expect.objectContaining({ service: "argo-workflows", actor: "argocd", actorType: "pipeline", occurredAt: "2025-11-14T12:35:58Z", imageRef: "https://argoproj.github.io/argo-helm/argo-workflows:0.45.27" }),
    ]);
    expect(events.find((e) => e.type === "gitops_status")).toMatchObject({ automated: true, selfHeal: false, lastSync: { automated: true }, images: ["quay.io/argoproj/argocli:v3.7.3", "quay.io/argoproj/workflow-controller:v3.7.3"] });
  });

  it("in production: a manual sync is a finding naming the person; no self-heal is a finding; staging gives none", async () => {
    await snapshot(list(velero(), workflows()), "staging", "2026-12-01T11:00:00Z");
    expect(await openFindings("staging")).toEqual([]);
    await snapshot(list(velero(), workflows()), "production", "2026-12-01T12:00:00Z");
    const open = await openFindings("production");
    const manual = open.filter((f) => f.ruleId === "drift.gitops-manual-sync");
    expect(manual).toEqual([expect.objectContaining({ subjectKey: "production/argocd/argo-cd/Application/velero-test", actor: "foo@example.com" })]);
    expect(manual[0]?.summary).toMatch(/synced by hand by foo@example.com/);
    expect(open.filter((f) => f.ruleId === "drift.gitops-self-heal-off").map((f) => f.service).sort()).toEqual(["argo-workflows", "velero-test"]);
    const stored = await handle.db.select().from(deployments).where(eq(deployments.environment, "production"));
    expect(stored).toHaveLength(11);
  });

  it("an OutOfSync application is a finding; a later automated, self-healing, synced status resolves them", async () => {
    const drifted = velero();
    drifted.status.sync.status = "OutOfSync";
    await snapshot(drifted, "production", "2026-12-01T13:00:00Z");
    expect((await openFindings("production")).map((f) => f.ruleId)).toContain("drift.gitops-out-of-sync");

    const healed = velero();
    healed.spec.syncPolicy.automated = { prune: true, selfHeal: true };
    healed.status.operationState.operation.initiatedBy = { automated: true };
    await snapshot(healed, "production", "2026-12-01T14:00:00Z");
    const open = (await openFindings("production")).filter((f) => f.service === "velero-test" && f.ruleId.startsWith("drift.gitops-"));
    expect(open).toEqual([]);
  });

  it("a snapshot sent again records each history entry once, and a rebuild gives the same statuses", async () => {
    const count = async () => (await handle.db.select().from(deployments).where(eq(deployments.environment, "production"))).length;
    const first = await count();
    await snapshot(list(velero()), "production", "2026-12-01T15:00:00Z");
    expect(await count()).toBe(first);
    const before = (await handle.db.select().from(gitopsStatuses)).length;
    await rebuildProjections(handle.db);
    expect((await handle.db.select().from(gitopsStatuses)).length).toBe(before);
  });
});
