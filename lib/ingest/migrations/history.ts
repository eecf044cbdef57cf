import { createHash } from "node:crypto";
import Papa from "papaparse";
import { describeIssues, validation } from "../../errors";
import { migrationEvent, migrationSnapshotEvent, migrationTools, type EventOf } from "../../events/schema";

export type MigrationTool = (typeof migrationTools)[number];
export type AppliedMigration = EventOf<"migration_snapshot">["migrations"][number];

/**
 * The history table each tool keeps, the columns Custody reads from it, and the query that reads
 * them (what `custody snapshot migrations --help` and docs/operators.md print). Layouts, from each
 * tool's own source (lib/ingest/migrations/fixtures/README.md cites them):
 *   Flyway     flyway_schema_history (installed_rank, version, description, type, script, checksum int CRC32, installed_by, installed_on, execution_time, success)
 *   Liquibase  databasechangelog (id, author, filename, dateexecuted, orderexecuted, exectype, md5sum, description, comments, tag, liquibase, contexts, labels, deployment_id)
 *   Alembic    alembic_version (version_num): the current head(s) only
 *   Rails      schema_migrations (version)
 *   Prisma     _prisma_migrations (id, checksum sha256, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
 *   drizzle    drizzle.__drizzle_migrations (id, hash sha256, created_at: the migration's journal time in ms)
 */
export const historyQueries: Record<MigrationTool, string> = {
  flyway: "select installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success from flyway_schema_history order by installed_rank",
  liquibase: "select id, author, filename, dateexecuted, orderexecuted, exectype, md5sum, description from databasechangelog order by orderexecuted",
  alembic: "select version_num from alembic_version",
  rails: "select version from schema_migrations order by version",
  prisma: "select id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count from _prisma_migrations order by started_at",
  drizzle: "select id, hash, created_at from drizzle.__drizzle_migrations order by id",
};

type Row = Record<string, unknown>;

/** Rows of a history table: `psql --csv` output (a header line, then rows) or JSON (an array of objects, e.g. `select json_agg(t) from … t`). */
export function readRows(text: string): Row[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw validation(`not JSON: ${(error as Error).message}`);
    }
    const rows = Array.isArray(json) ? json : (json as { rows?: unknown }).rows;
    if (!Array.isArray(rows) || rows.some((r) => typeof r !== "object" || r === null || Array.isArray(r))) {
      throw validation("expected a JSON array of rows (objects), e.g. the output of select json_agg(t) from flyway_schema_history t");
    }
    return rows.map(lowerKeys);
  }
  const parsed = Papa.parse<Row>(trimmed, { header: true, skipEmptyLines: true, transformHeader: (h) => h.trim().toLowerCase() });
  const bad = parsed.errors.find((e) => e.type !== "Delimiter");
  if (bad) throw validation(`CSV line ${(bad.row ?? 0) + 2}: ${bad.message} (expected psql --csv output, header line first)`);
  return parsed.data;
}

const lowerKeys = (r: object): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));

/** A cell as text; psql --csv writes NULL as an empty field. */
const text = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  return s === "" ? undefined : s;
};
const bool = (v: unknown): boolean | undefined => {
  if (typeof v === "boolean") return v;
  const s = text(v)?.toLowerCase();
  if (s === undefined) return undefined;
  if (["t", "true", "1"].includes(s)) return true;
  if (["f", "false", "0"].includes(s)) return false;
  return undefined;
};

/**
 * A timestamp as the table stores it, as ISO 8601: psql writes `2026-11-18 09:12:44.123456` for
 * `timestamp` (Flyway's installed_on, Liquibase's dateexecuted: read as UTC, the zone they are
 * written in when the database runs in UTC) and `2026-11-18 09:12:44.123+00` for `timestamptz`.
 */
export function isoTimestamp(v: unknown, column: string): string | undefined {
  const s = text(v);
  if (s === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(s.trim());
  if (!m) throw validation(`${column}: "${s.slice(0, 40)}" is not a timestamp`);
  const zone = m[4] === undefined || m[4] === "Z" ? "Z" : m[4].length === 3 ? `${m[4]}:00` : m[4].includes(":") ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const fraction = m[3] ? m[3].slice(0, 4) : "";
  const at = new Date(`${m[1]}T${m[2]}${fraction}${zone}`);
  if (Number.isNaN(at.getTime())) throw validation(`${column}: "${s.slice(0, 40)}" is not a timestamp`);
  return at.toISOString();
}

function require(row: Row, columns: string[], tool: MigrationTool, i: number): void {
  const missing = columns.filter((c) => !(c in row));
  if (missing.length > 0) throw validation(`row ${i + 1}: no column ${missing.join(", ")}: not a ${tool} history table (read it with: ${historyQueries[tool]})`);
}

const clean = (m: AppliedMigration): AppliedMigration => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as AppliedMigration;

/**
 * The migrations a history table reports applied, one per row, in each tool's own terms reduced to
 * the common shape: the migration's identity as the tool keys it, its checksum, when and by whom
 * where recorded. Rows that record no applied migration are left out and named in `notes`: Flyway's
 * schema-creation, baseline and delete markers, Prisma migrations marked rolled back.
 */
export function migrationsOf(tool: MigrationTool, rows: Row[]): { migrations: AppliedMigration[]; notes: string[] } {
  const notes: string[] = [];
  const migrations: AppliedMigration[] = [];
  rows.forEach((r, i) => {
    switch (tool) {
      case "flyway": {
        require(r, ["version", "description", "type", "script", "checksum", "installed_by", "installed_on", "success"], tool, i);
        const type = text(r.type) ?? "";
        if (["SCHEMA", "BASELINE", "DELETE"].includes(type)) {
          notes.push(`row ${i + 1}: Flyway ${type} marker (${text(r.description) ?? ""}), not a migration`);
          return;
        }
        const script = text(r.script);
        const id = text(r.version) ?? script;
        if (!id) throw validation(`row ${i + 1}: neither version nor script`);
        migrations.push(
          clean({ id, checksum: text(r.checksum), description: text(r.description), script, appliedAt: isoTimestamp(r.installed_on, `row ${i + 1}.installed_on`), appliedBy: text(r.installed_by), success: bool(r.success) }),
        );
        return;
      }
      case "liquibase": {
        require(r, ["id", "author", "filename", "dateexecuted", "exectype", "md5sum"], tool, i);
        const exec = text(r.exectype);
        migrations.push(
          clean({
            // Liquibase's own key of a changeset: file::id::author.
            id: `${text(r.filename) ?? ""}::${text(r.id) ?? ""}::${text(r.author) ?? ""}`,
            checksum: text(r.md5sum),
            description: [text(r.description), exec && exec !== "EXECUTED" ? exec : undefined].filter(Boolean).join(", ") || undefined,
            script: text(r.filename),
            appliedAt: isoTimestamp(r.dateexecuted, `row ${i + 1}.dateexecuted`),
            success: exec === undefined ? undefined : exec !== "FAILED",
          }),
        );
        return;
      }
      case "alembic": {
        require(r, ["version_num"], tool, i);
        const id = text(r.version_num);
        if (id) migrations.push({ id });
        return;
      }
      case "rails": {
        require(r, ["version"], tool, i);
        const id = text(r.version);
        if (id) migrations.push({ id });
        return;
      }
      case "prisma": {
        require(r, ["checksum", "finished_at", "migration_name", "rolled_back_at", "started_at"], tool, i);
        const name = text(r.migration_name);
        if (!name) throw validation(`row ${i + 1}: no migration_name`);
        if (text(r.rolled_back_at) !== undefined) {
          notes.push(`row ${i + 1}: Prisma migration ${name} marked rolled back`);
          return;
        }
        const finished = isoTimestamp(r.finished_at, `row ${i + 1}.finished_at`);
        migrations.push(clean({ id: name, checksum: text(r.checksum), appliedAt: finished ?? isoTimestamp(r.started_at, `row ${i + 1}.started_at`), success: finished !== undefined }));
        return;
      }
      case "drizzle": {
        require(r, ["hash", "created_at"], tool, i);
        const hash = text(r.hash);
        if (!hash) throw validation(`row ${i + 1}: no hash`);
        // drizzle keys a migration by its journal time (created_at, in ms) and checks nothing else.
        migrations.push(clean({ id: text(r.created_at) ?? hash, checksum: hash }));
        return;
      }
    }
  });
  return { migrations, notes };
}

export function parseTool(value: string | undefined): MigrationTool {
  const tool = (value ?? "").toLowerCase();
  if (!(migrationTools as readonly string[]).includes(tool)) throw validation(`--tool must be one of ${migrationTools.join(", ")}`);
  return tool as MigrationTool;
}

const digest16 = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

/** What the database reports applied, as a `migration_snapshot` event (`custody snapshot migrations`). */
export function migrationSnapshot(
  tool: MigrationTool,
  input: string,
  opts: { environment: string; database: string; observedAt: string },
): { event: EventOf<"migration_snapshot">; notes: string[] } {
  const { migrations, notes } = migrationsOf(tool, readRows(input));
  const parsed = migrationSnapshotEvent.safeParse({
    id: `migration-snapshot:${opts.environment}:${opts.database}:${opts.observedAt}:${digest16(migrations)}`.slice(0, 200),
    type: "migration_snapshot",
    occurredAt: opts.observedAt,
    environment: opts.environment,
    database: opts.database,
    tool,
    migrations,
  });
  if (!parsed.success) throw validation(`migration snapshot: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
  return { event: parsed.data, notes };
}

export interface RecordOptions {
  environment: string;
  database: string;
  pipeline: { provider: string; runId: string };
  recordedAt: string;
  /** The history table before the migrate step: rows already there were not applied by this run. */
  before?: string;
  /** Rows applied before this instant (where the tool records when) were not applied by this run. */
  since?: string;
  service?: string;
  deploymentId?: string;
}

/**
 * What the pipeline applied, as `migration` events (`custody migrations record`): the history
 * table read after its migrate step, less what was there before it (`before`, for every tool) or
 * applied before the step started (`since`, for tools that record when). The event ids are derived
 * from the content, so running the step's record twice stores nothing new.
 */
export function pipelineMigrations(tool: MigrationTool, after: string, opts: RecordOptions): { events: EventOf<"migration">[]; notes: string[] } {
  const { migrations, notes } = migrationsOf(tool, readRows(after));
  const key = (m: AppliedMigration) => `${m.id}\u0000${m.checksum ?? ""}`;
  const already = opts.before === undefined ? new Set<string>() : new Set(migrationsOf(tool, readRows(opts.before)).migrations.map(key));
  const since = opts.since === undefined ? null : Date.parse(opts.since);
  if (since !== null && Number.isNaN(since)) throw validation("--since must be an ISO 8601 time");
  if (since !== null && opts.before === undefined && (tool === "alembic" || tool === "rails" || tool === "drizzle")) {
    throw validation(`--since needs a time the table records; ${tool} records none: give --before with the table as it was before the migrate step`);
  }
  const applied = migrations.filter((m) => !already.has(key(m)) && (since === null || (m.appliedAt !== undefined && Date.parse(m.appliedAt) >= since)));
  const events = applied.map((m) => {
    const parsed = migrationEvent.safeParse({
      id: `migration:${digest16([opts.environment, opts.database, tool, m.id, m.checksum ?? null, opts.pipeline.provider, opts.pipeline.runId])}`,
      type: "migration",
      occurredAt: opts.recordedAt,
      environment: opts.environment,
      database: opts.database,
      tool,
      migration: m,
      pipeline: opts.pipeline,
      ...(opts.service ? { service: opts.service } : {}),
      ...(opts.deploymentId ? { deploymentId: opts.deploymentId } : {}),
    });
    if (!parsed.success) throw validation(`migration ${m.id}: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
    return parsed.data;
  });
  return { events, notes };
}
