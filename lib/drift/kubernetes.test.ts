import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings, snapshots, snapshotWorkloads } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { AppError } from "../errors";
import type { CustodyEvent } from "../events/schema";
import { ingestEvents } from "../ingest/events-api";
import { parseAuditLog, podsToSnapshot } from "../ingest/kubernetes";
import { evaluationSettled } from "../evaluation/queue";
import { activePolicy } from "../policy/active";
import { environmentStateAt } from "../evidence/state";

const fixtures = path.join(__dirname, "..", "ingest", "kubernetes", "fixtures");
const pods = (): { items: Record<string, unknown>[] } => JSON.parse(readFileSync(path.join(fixtures, "pods.json"), "utf8"));
const auditLog = readFileSync(path.join(fixtures, "audit.log"), "utf8");

const CHECKOUT = "sha256:367da6bd8b93b9256d39a8938971e67a24f43fc0aeab9f4b9fe2ee2b721cce99";
const ORDERS_HOTFIX = "sha256:836f379237307c48dc3e213f45be38458421a396ad4b5432ab8d7c87ea44d58b";
const ORDERS_RECORDED = `sha256:${"ab".repeat(32)}`;
const MIGRATE = "sha256:121dcdf1a69a23bc121f50369e8729c375b982cb78e1921aaef20ee9faba1a06";

let h: DatabaseHandle;
const send = async (body: unknown) => {
  const r = await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
  return r;
};
const snapshot = (id: string, observedAt: string, list: unknown = pods()) => podsToSnapshot(list, { environment: "production", id, observedAt });
const drift = async (ruleId: string, subjectKey: string) =>
  h.db.select().from(findings).where(and(eq(findings.ruleId, ruleId), eq(findings.subjectKey, subjectKey)));
const SUBJECT = {
  orders: "production/shop/Deployment/orders-api/orders-api",
  migrate: "production/shop/Deployment/orders-api/init:migrate",
  checkout: "production/shop/Deployment/checkout/checkout",
  recommendations: "production/shop/Deployment/recommendations/recommendations",
};

function deployment(id: string, service: string, environment: string, digest: string, occurredAt: string): CustodyEvent {
  return { id, type: "deployment", occurredAt, service, environment, imageRef: `ghcr.io/acme/${service}@${digest}`, digest, actorType: "pipeline", changeType: "normal", status: "success" };
}
function build(id: string, service: string, digest: string): CustodyEvent {
  return {
    id, type: "image_build", occurredAt: "2024-06-14T08:00:00Z", repository: `ghcr.io/acme/${service}`, digest, tags: ["3f2c1e9a8b7d4c6e5f1a2b3c4d5e6f7a8b9c0d1e"],
    service, builder: "github-actions", pipeline: { provider: "github-actions", runId: `run-${id}` },
  };
}

beforeAll(async () => {
  h = await createTestDatabase();
  await send({
    events: [
      build("b-checkout", "checkout", CHECKOUT),
      deployment("d-checkout-stg", "checkout", "staging", CHECKOUT, "2024-06-14T07:00:00Z"),
      deployment("d-checkout", "checkout", "production", CHECKOUT, "2024-06-14T08:10:00Z"),
      deployment("d-orders", "orders", "production", ORDERS_RECORDED, "2024-06-12T16:39:00Z"),
    ],
  });
  await send({ events: parseAuditLog(auditLog, { environment: "production" }) });
  await send(snapshot("snap-1", "2024-06-16T10:00:00Z"));
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe("drift from real kubectl and kube-apiserver output", () => {
  it("flags the hand-patched digest of a Deployment and names who patched it", async () => {
    const [f] = await drift("drift.unrecorded-digest", SUBJECT.orders);
    expect(f).toMatchObject({ status: "open", environment: "production", service: "orders", actor: "alice@acme.com" });
    expect(f?.evidence).toMatchObject({ observedDigest: ORDERS_HOTFIX, recordedDigest: ORDERS_RECORDED, snapshot: { externalId: "snap-1" } });
    expect(f?.openedAt.toISOString()).toBe("2024-06-16T10:00:00.000Z");
    // Drift findings record the policy version in force, as gate check results do.
    expect(f?.policyVersion).toBe(activePolicy().version);
    // The snapshot the environment's state shows names where it came from (here: the CLI).
    expect((await environmentStateAt(h.db, "production", new Date("2024-06-16T11:00:00Z"))).snapshot?.source).toEqual({ kind: "cli", id: "cli", verified: false });
    const [manual] = await drift("drift.manual-apply", SUBJECT.orders);
    expect(manual?.actor).toBe("alice@acme.com");
    expect(manual?.evidence).toMatchObject({ managers: [{ manager: "kubectl-edit", operation: "Update" }] });
  });

  it("does not flag a recorded, CI-built digest promoted through staging, nor a pod still pulling its image", async () => {
    const checkout = await h.db.select().from(findings).where(eq(findings.subjectKey, SUBJECT.checkout));
    expect(checkout).toEqual([]);
    const pulling = await h.db.select().from(findings).where(eq(findings.subjectKey, SUBJECT.recommendations));
    expect(pulling.map((f) => f.ruleId)).toEqual([]);
  });

  it("flags mutable tags in running specs, but not a tag pinned by digest", async () => {
    const mutable = await h.db.select().from(findings).where(eq(findings.ruleId, "drift.mutable-tag"));
    const subjects = mutable.map((f) => f.subjectKey);
    expect(subjects).toContain(SUBJECT.orders);
    expect(subjects).toContain("production/shop/Pod/debug-toolbox/toolbox");
    expect(subjects.filter((s) => s.includes("postgres"))).toEqual([]);
  });

  it("names each person who opened a shell, attach or ephemeral container in a production pod, and nobody else", async () => {
    // Dave's exec was refused (403) and the CI service account's is not a person: neither is drift.
    const execs = await h.db.select().from(findings).where(eq(findings.ruleId, "drift.exec-into-container"));
    expect(execs.map((f) => f.actor).sort()).toEqual(["alice@acme.com", "bob@acme.com", "carol@acme.com"]);
    const carol = execs.find((f) => f.actor === "carol@acme.com");
    // The audit log arrived before any snapshot: the pod is not yet linked to its Deployment.
    expect(carol?.workload).toBe("shop/Pod/checkout-7d9f8b6c5-x2x9k");
    expect(carol?.evidence).toMatchObject({ pod: { namespace: "shop", name: "checkout-7d9f8b6c5-x2x9k" } });
    expect(carol?.lastSeenAt.getTime()).toBeGreaterThan(carol?.openedAt.getTime() ?? Infinity);
  });

  it("links a later exec to the workload the latest snapshot shows for that pod", async () => {
    const line = auditLog.split("\n").find((l) => l.includes('"bob@acme.com"') && l.includes('"ResponseComplete"') && l.includes("/exec")) ?? "";
    const later = line.replaceAll("bob@acme.com", "heidi@acme.com").replace(/"auditID":"[^"]+"/, '"auditID":"later-exec-1"');
    await send({ events: parseAuditLog(later, { environment: "production" }) });
    const [f] = await h.db.select().from(findings).where(and(eq(findings.ruleId, "drift.exec-into-container"), eq(findings.actor, "heidi@acme.com")));
    expect(f).toMatchObject({ service: "orders", workload: "shop/Deployment/orders-api", status: "open" });
  });

  it("keeps one finding across consecutive identical snapshots and moves its lastSeenAt", async () => {
    const before = await h.db.select().from(findings);
    await send(snapshot("snap-2", "2024-06-16T11:00:00Z"));
    const after = await h.db.select().from(findings);
    expect(after.length).toBe(before.length);
    const [f] = await drift("drift.unrecorded-digest", SUBJECT.orders);
    expect(f?.lastSeenAt.toISOString()).toBe("2024-06-16T11:00:00.000Z");
    expect(f?.openedAt.toISOString()).toBe("2024-06-16T10:00:00.000Z");
  });

  it("resolves when a deployment record that predates the snapshot arrives late", async () => {
    expect((await drift("drift.unrecorded-digest", SUBJECT.migrate))[0]?.status).toBe("open");
    await send(deployment("d-migrate", "orders", "production", MIGRATE, "2024-06-12T16:40:00Z"));
    const [f] = await drift("drift.unrecorded-digest", SUBJECT.migrate);
    expect(f).toMatchObject({ status: "resolved" });
    expect(f?.resolvedAt?.toISOString()).toBe("2024-06-16T11:00:00.000Z");
  });

  it("resolves when a later snapshot shows the workload back on its recorded digest", async () => {
    const list = pods();
    const restored = JSON.stringify(list).replaceAll(ORDERS_HOTFIX, ORDERS_RECORDED);
    await send(snapshot("snap-3", "2024-06-16T12:00:00Z", JSON.parse(restored)));
    const rows = await drift("drift.unrecorded-digest", SUBJECT.orders);
    expect(rows.map((f) => f.status)).toEqual(["resolved"]);
    expect(rows[0]?.resolution).toContain("snap-3");
    // An exec cannot be undone by a later snapshot: it stays open for an incident or a waiver.
    const execs = await h.db.select().from(findings).where(eq(findings.ruleId, "drift.exec-into-container"));
    expect(execs.every((f) => f.status === "open")).toBe(true);
  });
});

describe("bad input changes nothing", () => {
  it("rejects a snapshot that is not a Kubernetes List, and an audit line that is not JSON, with the line number", () => {
    expect(() => snapshot("bad", "2024-06-16T13:00:00Z", { kind: "Deployment", items: [] })).toThrow(/kind: List.*got kind: Deployment/);
    const broken = `${auditLog.split("\n")[0] ?? ""}\n{not json\n`;
    let error: unknown;
    try {
      parseAuditLog(broken, { environment: "production" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "VALIDATION", message: "audit log line 2: not JSON" });
  });

  it("keeps a pod without status but never calls it unrecorded: its digest is not known yet", async () => {
    const list = pods();
    const pending = list.items.filter((p) => (p.metadata as { name: string }).name.startsWith("checkout")).map(({ status: _status, ...p }) => p);
    const event = snapshot("snap-pending", "2024-06-16T12:30:00Z", { kind: "List", apiVersion: "v1", items: pending });
    expect(event.workloads[0]?.containers.every((c) => c.digest === null)).toBe(true);
    await send({ ...event, environment: "staging" });
    const staging = await h.db.select().from(findings).where(and(eq(findings.environment, "staging"), eq(findings.ruleId, "drift.unrecorded-digest")));
    expect(staging).toEqual([]);
  });

  it("rejects a batch with one invalid snapshot as a whole: no snapshot, workload or finding is half-applied", async () => {
    const counts = async () => ({
      snapshots: (await h.db.select().from(snapshots)).length,
      workloads: (await h.db.select().from(snapshotWorkloads)).length,
      findings: (await h.db.select().from(findings)).map((f) => `${f.status}:${f.subjectKey}:${f.lastSeenAt.toISOString()}`).sort(),
    });
    const before = await counts();
    const good = snapshot("snap-4", "2024-06-16T14:00:00Z");
    const bad = { ...snapshot("snap-5", "2024-06-16T14:01:00Z"), workloads: [{ namespace: "shop", kind: "Deployment", name: "x", containers: [{ name: "x", image: "x", digest: "sha256:nothex" }] }] };
    await expect(send({ events: [good, bad] })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(await counts()).toEqual(before);
  });
});
