import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { AppliedMigration } from "@/db/schema";
import { openFindings, resolveFindings, type FindingInput } from "../findings/store";
import { activePolicy } from "../policy/active";
import { judgeMigrations, migrationDatabasePrefix, migrationSubject, type MigrationHistoryObservation, type MigrationRecordEvidence } from "../policy/drift/migration-rules";
import { splitMigrationDatabaseKey } from "../projections/migrations";
import type { Touched } from "../projections/touched";

type SnapshotRow = { external_id: string; environment: string; database: string; tool: string; migrations: AppliedMigration[] | string; observed_at: Date | string };
type RecordRow = {
  external_id: string;
  migration_id: string;
  checksum: string | null;
  applied_by: string | null;
  pipeline_provider: string | null;
  pipeline_run_id: string | null;
  deployment_id: string | null;
  service: string | null;
};

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/**
 * `drift.manual-migration` for every database the batch touched (a history snapshot or a migration
 * record arrived): judged on that database's newest snapshot with every record Custody holds, so
 * the outcome does not depend on the order they came in. A failure opens one finding per migration
 * (later snapshots showing it move its lastSeenAt); a pass resolves it (a pipeline record arrived
 * late), and so does a newer snapshot that no longer reports the migration.
 */
export async function evaluateMigrations(db: Queryable, touched: Touched): Promise<number> {
  let changed = 0;
  for (const key of [...touched.migrationDatabases].sort()) {
    const { environment, database } = splitMigrationDatabaseKey(key);
    const [snap] = await queryRows<SnapshotRow>(
      db,
      sql`select external_id, environment, database, tool, migrations, observed_at from migration_snapshots
           where environment = ${environment} and database = ${database}
           order by observed_at desc, external_id desc limit 1`,
    );
    if (!snap) continue;
    const records = await queryRows<RecordRow>(
      db,
      sql`select external_id, migration_id, checksum, applied_by, pipeline_provider, pipeline_run_id, deployment_id, service from migration_records
           where environment = ${environment} and database = ${database} and tool = ${snap.tool}
           order by recorded_at, external_id`,
    );
    const o: MigrationHistoryObservation = { environment, database, tool: snap.tool, observedAt: asDate(snap.observed_at), snapshot: snap.external_id };
    const reported = (typeof snap.migrations === "string" ? JSON.parse(snap.migrations) : snap.migrations) as AppliedMigration[];
    const evidence: MigrationRecordEvidence[] = records.map((r) => ({
      migrationId: r.migration_id,
      checksum: r.checksum,
      appliedBy: r.applied_by,
      pipeline: r.pipeline_provider !== null && r.pipeline_run_id !== null ? { provider: r.pipeline_provider, runId: r.pipeline_run_id } : null,
      deploymentId: r.deployment_id,
      externalId: r.external_id,
    }));
    // The service whose pipeline migrates this database, as its records name it.
    const service = records.map((r) => r.service).filter((v): v is string => v !== null).at(-1) ?? null;
    const opened: FindingInput[] = [];
    const passed: string[] = [];
    // A migration can have several rows (each run of a Flyway repeatable migration adds one): it fails when any row does.
    const bySubject = new Map<string, ReturnType<typeof judgeMigrations>[number]>();
    for (const outcome of judgeMigrations(o, reported, evidence)) {
      const subject = migrationSubject(o, outcome.migration.id);
      if (outcome.result === "fail" || bySubject.get(subject)?.result !== "fail") bySubject.set(subject, outcome);
    }
    for (const [subject, outcome] of bySubject) {
      if (outcome.result === "pass") {
        passed.push(subject);
        continue;
      }
      opened.push({
        policyVersion: activePolicy().version,
        ruleId: outcome.ruleId,
        subjectKey: subject,
        environment,
        service,
        workload: `database/${database}`,
        actor: outcome.actor,
        summary: outcome.reason,
        evidence: {
          database: { environment, name: database, tool: o.tool, snapshot: o.snapshot, observedAt: o.observedAt.toISOString() },
          migration: outcome.migration,
          pipelineRecords: outcome.pipelineRecords,
        },
        observedAt: o.observedAt,
      });
    }
    await openFindings(db, opened);
    changed += opened.length;
    changed += await resolveFindings(db, "drift.manual-migration", passed, o.observedAt, `A pipeline run recorded applying it (history snapshot ${o.snapshot}).`);
    const present = new Set(reported.map((m) => migrationSubject(o, m.id)));
    const open = await queryRows<{ subject_key: string }>(
      db,
      sql`select subject_key from findings where rule_id = 'drift.manual-migration' and status = 'open' and starts_with(subject_key, ${migrationDatabasePrefix(o)})`,
    );
    const gone = open.map((r) => r.subject_key).filter((k) => !present.has(k));
    changed += await resolveFindings(db, "drift.manual-migration", gone, o.observedAt, `The database no longer reports it (history snapshot ${o.snapshot}).`);
  }
  return changed;
}
