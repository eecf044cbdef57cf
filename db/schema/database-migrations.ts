import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/** One migration, as a history table records it (lib/events/schema.ts `appliedMigration`). */
export interface AppliedMigration {
  id: string;
  checksum?: string;
  description?: string;
  script?: string;
  appliedAt?: string;
  appliedBy?: string;
  success?: boolean;
}

/** Migrations reported applied by whoever applied them: with a pipeline run, what drift.manual-migration accepts. */
export const migrationRecords = pgTable(
  "migration_records",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    environment: text().notNull(),
    database: text().notNull(),
    tool: text().notNull(),
    migrationId: text().notNull(),
    checksum: text(),
    description: text(),
    appliedAt: tstz(),
    appliedBy: text(),
    service: text(),
    pipelineProvider: text(),
    pipelineRunId: text(),
    deploymentId: text(),
    recordedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("migration_records_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("migration_records_database_migration_idx").on(t.environment, t.database, t.migrationId),
  ],
);

/** What one database reported as applied at one instant: its history table's rows (one row per snapshot, never merged). */
export const migrationSnapshots = pgTable(
  "migration_snapshots",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    environment: text().notNull(),
    database: text().notNull(),
    tool: text().notNull(),
    migrations: jsonb().$type<AppliedMigration[]>().notNull(),
    observedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("migration_snapshots_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("migration_snapshots_database_observed_at_idx").on(t.environment, t.database, t.observedAt),
  ],
);

export type MigrationRecord = typeof migrationRecords.$inferSelect;
export type MigrationSnapshot = typeof migrationSnapshots.$inferSelect;
