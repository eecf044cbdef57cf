import { bigint, bigserial, index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

export interface ControllerManager {
  manager: string;
  operation: string;
  time: string | null;
  subresource?: string;
}

/** A controller (Deployment, StatefulSet, DaemonSet, CronJob, Job) in a snapshot: what its pod template asks for and who wrote it. */
export const snapshotControllers = pgTable(
  "snapshot_controllers",
  {
    id: bigserial({ mode: "number" }).notNull(),
    snapshotId: bigint({ mode: "number" }).notNull(),
    observedAt: tstz().notNull(),
    namespace: text().notNull(),
    kind: text().notNull(),
    name: text().notNull(),
    service: text().notNull(),
    images: jsonb().$type<Record<string, string>>().notNull(),
    configRefs: jsonb().$type<{ kind: "ConfigMap" | "Secret"; name: string }[]>().notNull(),
    managers: jsonb().$type<ControllerManager[]>(),
    lastAppliedImages: jsonb().$type<Record<string, string>>(),
  },
  (t) => [
    primaryKey({ name: "snapshot_controllers_pkey", columns: [t.id, t.observedAt] }),
    index("snapshot_controllers_snapshot_id_service_idx").on(t.snapshotId, t.service),
  ],
);

/** A ConfigMap or Secret in a snapshot, as the hash of its data (computed by the CLI; values never arrive). */
export const snapshotConfigs = pgTable(
  "snapshot_configs",
  {
    id: bigserial({ mode: "number" }).notNull(),
    snapshotId: bigint({ mode: "number" }).notNull(),
    observedAt: tstz().notNull(),
    namespace: text().notNull(),
    kind: text().notNull(),
    name: text().notNull(),
    dataHash: text().notNull(),
  },
  (t) => [
    primaryKey({ name: "snapshot_configs_pkey", columns: [t.id, t.observedAt] }),
    index("snapshot_configs_snapshot_id_object_idx").on(t.snapshotId, t.namespace, t.kind, t.name),
  ],
);

export type SnapshotController = typeof snapshotControllers.$inferSelect;
export type SnapshotConfig = typeof snapshotConfigs.$inferSelect;
