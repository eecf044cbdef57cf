import { sql } from "drizzle-orm";
import { openDatabase, queryRows, type Database, type DatabaseHandle, type Queryable } from "@/db/client";
import { config } from "./config";
import { getDb } from "./db";

/**
 * Dashboards and reports may read from a replica: `DATABASE_READ_URL` names a Postgres streaming
 * replica (or any copy that trails the primary). Writes, ingestion, evaluation and the ledger's
 * proofs always use `DATABASE_URL`. Without it, reads go to the primary.
 */
const g = globalThis as unknown as { __custodyReadDb?: Promise<DatabaseHandle> };

export function readReplicaUrl(): string | undefined {
  return config().readDatabaseUrl;
}

/** The database dashboards and reports read: the replica when configured, else the primary. */
export async function getReadDb(): Promise<Database> {
  const url = readReplicaUrl();
  if (!url) return getDb();
  g.__custodyReadDb ??= openDatabase({ url }).catch((error: unknown) => {
    g.__custodyReadDb = undefined;
    throw error;
  });
  return (await g.__custodyReadDb).db;
}

export async function closeReadDb(): Promise<void> {
  const pending = g.__custodyReadDb;
  g.__custodyReadDb = undefined;
  if (pending) await (await pending).close();
}

/** Seconds a replica trails its primary (0 on a primary; null when it has replayed nothing yet). */
export async function replicaLagSeconds(db: Queryable): Promise<number | null> {
  const [row] = await queryRows<{ lag: number | string | null }>(
    db,
    sql`select case when pg_is_in_recovery() then extract(epoch from (now() - pg_last_xact_replay_timestamp())) else 0 end as lag`,
  );
  return row?.lag === null || row?.lag === undefined ? null : Math.max(0, Number(row.lag));
}

/** Below this, a replica is as good as the primary for a dashboard: no banner. */
export const LAG_BANNER_SECONDS = 10;

/**
 * What a page says about the data it read: null when it read the primary or a replica within
 * LAG_BANNER_SECONDS; otherwise a sentence with how far behind it is.
 */
export async function readLagNotice(replicaUrl = readReplicaUrl(), read: () => Promise<Queryable> = getReadDb): Promise<string | null> {
  if (!replicaUrl) return null;
  try {
    return lagNotice(await replicaLagSeconds(await read()));
  } catch {
    return lagNotice("unknown");
  }
}

export function lagNotice(lag: number | null | "unknown"): string | null {
  if (lag === "unknown") return "Figures on this page come from a read replica whose lag could not be measured.";
  if (lag === null) return "Figures on this page come from a read replica that has not replayed anything from the primary yet.";
  if (lag < LAG_BANNER_SECONDS) return null;
  return `Figures on this page come from a read replica ${describeLag(lag)} behind the primary: the latest evidence may be missing.`;
}

export function describeLag(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
