import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { attestations, clusterAuditEvents, snapshots, snapshotWorkloads } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { applySnapshotObjects, type StoredSnapshot } from "./cluster-objects";
import { ensureServicesAndEnvironments } from "./delivery";
import { sourceColumnsOf, sourceKeyOf } from "../evidence/source";
import { chunks } from "./merge";
import { originOf } from "./sourced";
import type { Touched } from "./touched";

export async function applySnapshots(tx: Queryable, events: EventOf<"snapshot">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  await ensureServicesAndEnvironments(
    tx,
    events.flatMap((e) => [...e.workloads.map((w) => w.service ?? w.name), ...(e.controllers ?? []).map((c) => c.service ?? c.name)]),
    events.map((e) => e.environment),
  );
  const inserted = await bulkInsert<Record<string, unknown>, { id: number | string; external_id: string; source_key: string }>(
    tx,
    snapshots,
    events.map((e) => ({
      externalId: e.id,
      environment: e.environment,
      source: e.source,
      observedAt: new Date(e.occurredAt),
      workloadCount: e.workloads.length,
      ...sourceColumnsOf(originOf(e)),
      sourceKeys: [sourceKeyOf(originOf(e))],
    })),
    sql`${onConflictNothing()} returning id, external_id, source_key`,
  );
  // Keyed by sender and id: another sender's snapshot with the same id is its own observation. A
  // key already held (snapshot_keys, migration 0027) skips the row: only new snapshots come back.
  const byExternal = new Map(inserted.map((r) => [`${r.source_key}\u0000${r.external_id}`, Number(r.id)]));
  const stored = (e: EventOf<"snapshot">): StoredSnapshot | undefined => {
    const id = byExternal.get(`${sourceKeyOf(originOf(e))}\u0000${e.id}`);
    return id === undefined ? undefined : { id, observedAt: new Date(e.occurredAt) };
  };
  const rows = events.flatMap((e) => {
    const snap = stored(e);
    if (snap === undefined) return [];
    return e.workloads.flatMap((w) =>
      w.containers.map((c) => ({
        snapshotId: snap.id,
        // The snapshot's month: the workloads are partitioned with it (migration 0027).
        observedAt: snap.observedAt,
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        service: w.service ?? w.name,
        container: c.name,
        imageRef: c.image,
        digest: c.digest ?? null,
        configHash: c.configHash ?? null,
        managers: w.managers?.map((m) => ({ manager: m.manager, operation: m.operation, time: m.time ?? null })) ?? null,
        lastAppliedBy: w.lastAppliedBy ?? null,
        replicas: w.replicas,
      })),
    );
  });
  for (const batch of chunks(rows, 20000)) await bulkInsert(tx, snapshotWorkloads, batch);
  await applySnapshotObjects(tx, events, stored);
  for (const e of events) touched.environments.add(e.environment);
  // Observed digests are not evidence for gate checks; drift reads the snapshot ids.
  for (const id of byExternal.values()) touched.snapshotIds.add(id);
}

export async function applyAttestations(tx: Queryable, events: EventOf<"attestation">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  for (const batch of chunks(events, 5000)) {
    await bulkInsert(
      tx,
      attestations,
      batch.map((e) => ({
          externalId: e.id,
          type: e.attestationType,
          subject: e.subject,
          service: e.service ?? null,
          environment: e.environment ?? null,
          result: e.result,
          actor: e.actor ?? null,
        details: e.details ?? null,
        observedAt: new Date(e.occurredAt),
        ...sourceColumnsOf(originOf(e)),
        sourceKeys: [sourceKeyOf(originOf(e))],
      })),
      onConflictNothing(),
    );
  }
  for (const e of events) {
    if (e.subject.startsWith("sha256:")) touched.digests.add(e.subject);
    if (e.environment) touched.environments.add(e.environment);
    if (e.service) touched.services.add(e.service);
  }
}

export async function applyClusterAudit(tx: Queryable, events: EventOf<"k8s_audit">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  const inserted = await bulkInsert(
    tx,
    clusterAuditEvents,
    events.map((e) => ({
        auditId: e.auditId,
        environment: e.environment,
        verb: e.verb,
        username: e.username,
        resource: e.resource ?? null,
        subresource: e.subresource ?? null,
        namespace: e.namespace ?? null,
        name: e.name ?? null,
        userAgent: e.userAgent ?? null,
        impersonatedUser: e.impersonatedUser ?? null,
      occurredAt: new Date(e.occurredAt),
    })),
    sql`${onConflictNothing()} returning id`,
  );
  touched.auditEvents += inserted.length;
  for (const e of events) touched.environments.add(e.environment);
}
