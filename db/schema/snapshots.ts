import { bigint, bigserial, foreignKey, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/** What an environment actually ran at one instant. */
export const snapshots = pgTable(
  "snapshots",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    environment: text().notNull(),
    source: text().notNull().default("kubernetes"),
    observedAt: tstz().notNull(),
    workloadCount: integer().notNull().default(0),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("snapshots_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("snapshots_environment_observed_at_idx").on(t.environment, t.observedAt),
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
    id: bigserial({ mode: "number" }).primaryKey(),
    snapshotId: bigint({ mode: "number" }).notNull(),
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
    foreignKey({ name: "snapshot_workloads_snapshot_id_fk", columns: [t.snapshotId], foreignColumns: [snapshots.id] }).onDelete(
      "cascade",
    ),
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
