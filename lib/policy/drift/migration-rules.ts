import type { AppliedMigration } from "@/db/schema/database-migrations";

/** One migration a database reports applied (a history table row, normalised). */
export type ReportedMigration = AppliedMigration;

/** What Custody was told about one migration of that database: by a pipeline run, or by someone else. */
export interface MigrationRecordEvidence {
  migrationId: string;
  checksum: string | null;
  appliedBy: string | null;
  pipeline: { provider: string; runId: string } | null;
  deploymentId: string | null;
  externalId: string;
}

/** The latest history of one database, as the rule reads it. */
export interface MigrationHistoryObservation {
  environment: string;
  database: string;
  tool: string;
  observedAt: Date;
  snapshot: string;
}

export interface MigrationOutcome {
  ruleId: "drift.manual-migration";
  migration: ReportedMigration;
  result: "pass" | "fail";
  reason: string;
  /** The person a failure names: who the history table says applied it, else who recorded it by hand. */
  actor: string | null;
  /** The pipeline records compared, for the finding's evidence. */
  pipelineRecords: MigrationRecordEvidence[];
}

/** `production/database/orders/flyway/2.1`: one migration of one database. */
export const migrationSubject = (o: Pick<MigrationHistoryObservation, "environment" | "database" | "tool">, migrationId: string): string =>
  `${migrationDatabasePrefix(o)}${o.tool}/${migrationId}`;
export const migrationDatabasePrefix = (o: Pick<MigrationHistoryObservation, "environment" | "database">): string => `${o.environment}/database/${o.database}/`;

/**
 * `drift.manual-migration` for each migration a database reports: it fails when no pipeline run
 * recorded applying it (a `migration` event with `pipeline`), or when every pipeline record of it
 * has another checksum than the database's (the script was edited after the pipeline applied it,
 * or a different one was run by hand). A record without a pipeline is a person's own account: it
 * names who, it does not make the migration the pipeline's. Pure.
 */
export function judgeMigrations(o: MigrationHistoryObservation, reported: ReportedMigration[], records: MigrationRecordEvidence[]): MigrationOutcome[] {
  const byId = new Map<string, MigrationRecordEvidence[]>();
  for (const r of records) byId.set(r.migrationId, [...(byId.get(r.migrationId) ?? []), r]);
  const where = `${o.database} (${o.environment})`;
  return reported.map((m) => {
    const mine = byId.get(m.id) ?? [];
    const pipelineRecords = mine.filter((r) => r.pipeline !== null);
    const person = m.appliedBy ?? mine.find((r) => r.pipeline === null && r.appliedBy !== null)?.appliedBy ?? null;
    const label = `${toolName(o.tool)} migration ${m.id}${m.description ? ` (${m.description})` : ""} in ${where}`;
    const by = `${person ? ` by ${person}` : ""}${m.appliedAt ? ` at ${m.appliedAt}` : ""}${m.success === false ? ", and it failed" : ""}`;
    if (pipelineRecords.length === 0) {
      return { ruleId: "drift.manual-migration", migration: m, result: "fail", reason: `${label} was applied${by} with no pipeline record of applying it.`, actor: person, pipelineRecords };
    }
    const known = pipelineRecords.filter((r) => r.checksum !== null);
    if (m.checksum !== undefined && known.length > 0 && !known.some((r) => r.checksum === m.checksum)) {
      const theirs = [...new Set(known.map((r) => r.checksum))].join(", ");
      return {
        ruleId: "drift.manual-migration",
        migration: m,
        result: "fail",
        reason: `${label} has checksum ${m.checksum}, but the pipeline applied it with ${theirs}: what ran${by} is not what the pipeline ran.`,
        actor: person,
        pipelineRecords,
      };
    }
    const run = pipelineRecords[0]?.pipeline;
    return { ruleId: "drift.manual-migration", migration: m, result: "pass", reason: `${label} was applied by pipeline run ${run?.provider}/${run?.runId}.`, actor: null, pipelineRecords };
  });
}

function toolName(tool: string): string {
  return { flyway: "Flyway", liquibase: "Liquibase", alembic: "Alembic", rails: "Rails", prisma: "Prisma", drizzle: "drizzle" }[tool] ?? tool;
}
