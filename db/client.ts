import { mkdirSync, accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { sql, type ExtractTablesWithRelations, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or a transaction inside it. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite";
  close: () => Promise<void>;
}

export type DatabaseTarget = { url: string } | { dataDir: string } | { memory: true };

/** Thrown for a database that cannot be opened; its message says what to fix, in one line. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

const casing = "snake_case" as const;

/** Databases with a pool of connections (node-postgres): a read can run beside an open transaction. */
const pooled = new WeakSet<Database>();

/**
 * `db` itself when its pool can serve a read on another connection while one of its transactions
 * is open, else null: PGlite has a single connection, which the open transaction holds.
 */
export function readerBeside(db: Database): Database | null {
  return pooled.has(db) ? db : null;
}

/** Opens the database: real Postgres through `pg` for a URL, embedded PGlite otherwise. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ("url" in target) {
    const { Pool } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new Pool({ connectionString: target.url, max: Number(process.env.CUSTODY_DB_POOL_SIZE ?? 10) });
    pool.on("error", () => {
      /* an idle client lost its connection; the next query reconnects */
    });
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new DatabaseOpenError(
        `cannot reach the database at ${redactUrl(target.url)}: ${(error as Error).message || String(error)} (check DATABASE_URL and that Postgres is running)`,
      );
    }
    const db = drizzle(pool, { schema, casing }) as unknown as Database;
    pooled.add(db);
    return { db, driver: "postgres", close: () => pool.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  if ("dataDir" in target) {
    const dir = path.resolve(target.dataDir);
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      if (existsSync(path.join(dir, "PG_VERSION"))) accessSync(path.join(dir, "PG_VERSION"), constants.R_OK);
    } catch {
      throw new DatabaseOpenError(
        `the data folder ${dir} is not writable (set CUSTODY_DATA_DIR to a folder this user can write, or fix its permissions)`,
      );
    }
    try {
      client = await PGlite.create(dir);
    } catch (error) {
      throw new DatabaseOpenError(
        `cannot open the embedded database in ${dir}: ${(error as Error).message || String(error)} (is another Custody process using it?)`,
      );
    }
  } else {
    client = await PGlite.create();
  }
  const db = drizzle(client, { schema, casing }) as unknown as Database;
  return { db, driver: "pglite", close: () => client.close() };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Runs `fn` in a transaction of its own (a savepoint inside one) with JIT compilation off: for
 * statements over thousands of rows that the planner prices above jit_above_cost, where compiling
 * them took longer than running them (population CSV pages, a snapshot's drift evidence).
 */
export function transactionWithoutJit<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return (db as Database).transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return fn(tx);
  });
}

/** Runs raw SQL and returns its rows; both drivers answer `{ rows }`. */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
