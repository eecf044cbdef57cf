import { bigserial, boolean, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/** What Argo CD or Flux said about one object (Application, Kustomization, HelmRelease) at one time. */
export const gitopsStatuses = pgTable(
  "gitops_statuses",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    environment: text().notNull(),
    tool: text().notNull(),
    namespace: text().notNull(),
    kind: text().notNull(),
    name: text().notNull(),
    service: text(),
    revision: text(),
    syncStatus: text(),
    health: text(),
    automated: boolean(),
    selfHeal: boolean(),
    suspended: boolean(),
    lastSyncBy: text(),
    lastSyncAutomated: boolean(),
    lastSyncAt: tstz(),
    images: jsonb().$type<string[]>(),
    reason: text(),
    severity: text(),
    message: text(),
    observedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("gitops_statuses_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("gitops_statuses_object_observed_at_idx").on(t.environment, t.tool, t.namespace, t.kind, t.name, t.observedAt),
    index("gitops_statuses_created_at_idx").on(t.createdAt),
  ],
);

export type GitopsStatus = typeof gitopsStatuses.$inferSelect;
