import { sql } from "drizzle-orm";
import { queryRows, type Database, type Queryable } from "@/db/client";
import { log } from "../log";

/**
 * The tables partitioned by month (migrations 0020, 0025 and 0027) and the column each is partitioned
 * by: check_results by its deployment's time (copied from deployments.deployed_at), a snapshot's
 * workloads, controllers and configs by the snapshot's observed_at (copied with it).
 */
export const PARTITIONED = {
  ledger_events: "received_at",
  audit_log: "at",
  check_results: "deployed_at",
  snapshots: "observed_at",
  snapshot_workloads: "observed_at",
  snapshot_controllers: "observed_at",
  snapshot_configs: "observed_at",
} as const;
export type PartitionedTable = keyof typeof PARTITIONED;

/** How many months ahead the server keeps partitions ready; the hourly check tops them up. */
export const MONTHS_AHEAD = 3;

/**
 * Creates this month's partitions and the next `monthsAhead` months' that are missing, through
 * custody_ensure_partitions (0020), which runs as the owner: the runtime role may call it though
 * it may create nothing itself. Returns how many it created.
 */
export async function ensurePartitions(db: Queryable, monthsAhead = MONTHS_AHEAD): Promise<number> {
  const [row] = await queryRows<{ created: number }>(db, sql`select custody_ensure_partitions(${monthsAhead}::integer) as created`);
  return Number(row?.created ?? 0);
}

/** Creates the month partitions from `from` to `to` (the owner only: benchmarks, imports of old history). */
export async function createMonthPartitions(db: Queryable, table: PartitionedTable, from: Date, to: Date): Promise<number> {
  const [row] = await queryRows<{ created: number }>(
    db,
    sql`select count(*) filter (where custody_create_month_partition(${table}, m::date)) as created
        from generate_series(date_trunc('month', ${from.toISOString()}::timestamptz at time zone 'UTC'),
                             date_trunc('month', ${to.toISOString()}::timestamptz at time zone 'UTC'), interval '1 month') m`,
  );
  return Number(row?.created ?? 0);
}

export interface PartitionInfo {
  table: PartitionedTable;
  name: string;
  /** Null for the default partition. */
  from: Date | null;
  to: Date | null;
  rows: number;
}

/** The attached partitions of the partitioned tables, oldest first, with an estimate of their rows (exact when `exact`). */
export async function listPartitions(db: Queryable, opts: { exact?: boolean } = {}): Promise<PartitionInfo[]> {
  const rows = await queryRows<{ parent: string; name: string; bound: string; estimate: string | number }>(
    db,
    sql`select p.relname as parent, c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound, greatest(c.reltuples, 0)::bigint as estimate
        from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
        where p.relname = any(${sql.param(Object.keys(PARTITIONED))}::text[]) and p.relnamespace = 'public'::regnamespace
        order by p.relname, c.relname`,
  );
  const out: PartitionInfo[] = [];
  for (const r of rows) {
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    let count = Number(r.estimate);
    if (opts.exact) {
      const [c] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from ${sql.identifier(r.name)}`);
      count = Number(c?.n ?? 0);
    }
    out.push({ table: r.parent as PartitionedTable, name: r.name, from: m ? new Date(m[1] as string) : null, to: m ? new Date(m[2] as string) : null, rows: count });
  }
  return out.sort((a, b) => (a.table === b.table ? (a.from?.getTime() ?? Infinity) - (b.from?.getTime() ?? Infinity) : a.table < b.table ? -1 : 1));
}

const HOUR = 3_600_000;
const g = globalThis as unknown as { __custodyPartitionTimers?: WeakMap<object, NodeJS.Timeout> };

async function ensureLogged(db: Queryable): Promise<void> {
  try {
    const created = await ensurePartitions(db);
    if (created > 0) log.info("partitions created ahead", { created, monthsAhead: MONTHS_AHEAD });
  } catch (error) {
    log.error("creating partitions ahead failed (rows of a missing month land in the default partition)", { error: error instanceof Error ? error.message : String(error) });
  }
}

/** At start and every hour: no operator step keeps next months' partitions ready. */
export async function startPartitionMaintenance(db: Database, intervalMs = HOUR): Promise<void> {
  g.__custodyPartitionTimers ??= new WeakMap();
  if (g.__custodyPartitionTimers.has(db)) return;
  const timer = setInterval(() => void ensureLogged(db), intervalMs);
  timer.unref();
  g.__custodyPartitionTimers.set(db, timer);
  await ensureLogged(db);
}

export function stopPartitionMaintenance(db: Database): void {
  const timer = g.__custodyPartitionTimers?.get(db);
  if (timer) clearInterval(timer);
  g.__custodyPartitionTimers?.delete(db);
}
