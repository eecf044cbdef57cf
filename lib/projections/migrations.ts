import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { migrationRecords, migrationSnapshots } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { sourceColumnsOf, sourceKeyOf } from "../evidence/source";
import { originOf } from "./sourced";
import type { Touched } from "./touched";

/** The key of one database in `touched.migrationDatabases` (stored as JSON: no NUL), `<environment>/<database>`; environment names hold no "/". */
export const migrationDatabaseKey = (environment: string, database: string): string => `${environment}/${database}`;
export function splitMigrationDatabaseKey(key: string): { environment: string; database: string } {
  const at = key.indexOf("/");
  return { environment: key.slice(0, at), database: key.slice(at + 1) };
}

/** Migration records (the pipeline's, or anyone's): observations stored once each, never merged. */
export async function applyMigrationRecords(tx: Queryable, events: EventOf<"migration">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  await bulkInsert(
    tx,
    migrationRecords,
    events.map((e) => ({
      externalId: e.id,
      environment: e.environment,
      database: e.database,
      tool: e.tool,
      migrationId: e.migration.id,
      checksum: e.migration.checksum ?? null,
      description: e.migration.description ?? null,
      appliedAt: e.migration.appliedAt ? new Date(e.migration.appliedAt) : null,
      appliedBy: e.migration.appliedBy ?? null,
      service: e.service ?? null,
      pipelineProvider: e.pipeline?.provider ?? null,
      pipelineRunId: e.pipeline?.runId ?? null,
      deploymentId: e.deploymentId ?? null,
      recordedAt: new Date(e.occurredAt),
      ...sourceColumnsOf(originOf(e)),
      sourceKeys: [sourceKeyOf(originOf(e))],
    })),
    sql`${onConflictNothing()}`,
  );
  for (const e of events) touched.migrationDatabases.add(migrationDatabaseKey(e.environment, e.database));
}

/** What databases reported applied: one row per snapshot, the history table's rows as JSON. */
export async function applyMigrationSnapshots(tx: Queryable, events: EventOf<"migration_snapshot">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  await bulkInsert(
    tx,
    migrationSnapshots,
    events.map((e) => ({
      externalId: e.id,
      environment: e.environment,
      database: e.database,
      tool: e.tool,
      migrations: e.migrations,
      observedAt: new Date(e.occurredAt),
      ...sourceColumnsOf(originOf(e)),
      sourceKeys: [sourceKeyOf(originOf(e))],
    })),
    sql`${onConflictNothing()}`,
  );
  for (const e of events) touched.migrationDatabases.add(migrationDatabaseKey(e.environment, e.database));
}
