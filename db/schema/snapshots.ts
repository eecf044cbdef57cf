import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/**
 * What an environment actually ran at one instant. Partitioned by month of `observed_at` (migration
 * 0027), with its workloads, controllers and configs, which carry the snapshot's `observed_at` and
 * reference it by (snapshot_id, observed_at). One snapshot per sender and id is kept by
 * snapshot_keys (a unique index on the partitioned table would have to hold the month).
 */
export const snapshots = pgTable(
  "snapshots",
  {
    id: bigserial({ mode: "number" }).notNull(),
    externalId: text().notNull(),
    environment: text().notNull(),
    source: text().notNull().default("kubernetes"),
    observedAt: tstz().notNull(),
    workloadCount: integer().notNull().default(0),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "snapshots_pkey", columns: [t.id, t.observedAt] }),
    index("snapshots_environment_observed_at_idx").on(t.environment, t.observedAt),
  ],
);

/**
 * Every stored snapshot's sender and id (migration 0027), filled by a BEFORE INSERT trigger on
 * snapshots that skips a row whose key is already held (what `on conflict do nothing` did with the
 * unique index before partitioning), and each snapshot's month by id: a look-up by id alone reads
 * here first instead of probing every monthly partition.
 */
export const snapshotKeys = pgTable(
  "snapshot_keys",
  {
    sourceKey: text().notNull(),
    externalId: text().notNull(),
    snapshotId: bigint({ mode: "number" }).notNull(),
    observedAt: tstz().notNull(),
  },
  (t) => [
    primaryKey({ name: "snapshot_keys_pkey", columns: [t.sourceKey, t.externalId] }),
    uniqueIndex("snapshot_keys_snapshot_id_key").on(t.snapshotId),
  ],
);

export interface FieldManager {
  manager: string;
  operation: string;
  time?: string | null;
}

/** One container of one workload in a snapshot. */
export const snapshotWorkloads = pgTable(
  "snapshot_workloads",
  {
    id: bigserial({ mode: "number" }).notNull(),
    snapshotId: bigint({ mode: "number" }).notNull(),
    observedAt: tstz().notNull(),
    namespace: text().notNull(),
    kind: text().notNull(),
    name: text().notNull(),
    service: text(),
    container: text().notNull(),
    imageRef: text().notNull(),
    digest: text(),
    configHash: text(),
    managers: jsonb().$type<FieldManager[]>(),
    lastAppliedBy: text(),
    replicas: integer().notNull().default(1),
  },
  (t) => [
    primaryKey({ name: "snapshot_workloads_pkey", columns: [t.id, t.observedAt] }),
    // Also serves lookups by snapshot_id alone (its leading column); a separate index on it only cost
    // every snapshot's insert. Drift finds a workload's config hash in the first snapshot after its last deployment.
    index("snapshot_workloads_snapshot_id_workload_idx").on(t.snapshotId, t.namespace, t.kind, t.name, t.container),
    index("snapshot_workloads_digest_idx").on(t.digest),
  ],
);

/** Kubernetes audit events (exec, attach, ephemeral containers, manual changes) observed in an environment. */
export const clusterAuditEvents = pgTable(
  "cluster_audit_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    auditId: text().notNull(),
    environment: text().notNull(),
    verb: text().notNull(),
    username: text().notNull(),
    resource: text(),
    subresource: text(),
    namespace: text(),
    name: text(),
    userAgent: text(),
    impersonatedUser: text(),
    occurredAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("cluster_audit_events_audit_id_key").on(t.auditId),
    index("cluster_audit_events_environment_occurred_at_idx").on(t.environment, t.occurredAt),
  ],
);

export type Snapshot = typeof snapshots.$inferSelect;
export type SnapshotWorkload = typeof snapshotWorkloads.$inferSelect;
export type ClusterAuditEvent = typeof clusterAuditEvents.$inferSelect;
