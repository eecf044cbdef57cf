import { readFileSync } from "node:fs";
import path from "node:path";
import type { Pool } from "pg";
import type { DatabaseHandle } from "./client";

/** The same key as scripts/migrate.mjs (the Kubernetes Job), so a Job and starting servers take turns. */
export const MIGRATION_LOCK = 7_305_241_198;

export const migrationsFolder = () => process.env.CUSTODY_MIGRATIONS_DIR ?? path.join(process.cwd(), "db", "migrations");

/**
 * Applies every committed drizzle-kit migration not yet applied. Safe to run at every start, and
 * by several instances starting at once against one Postgres: a session advisory lock, held on a
 * connection of its own, lets one migrate while the others wait and then find nothing to do.
 */
export async function migrate(handle: DatabaseHandle): Promise<void> {
  const folder = migrationsFolder();
  if (handle.driver === "postgres") {
    const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
    const pool = (handle.db as unknown as { $client: Pool }).$client;
    if (await upToDate(pool, folder)) return;
    const lock = await pool.connect();
    try {
      await lock.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants its driver's concrete type
      await run(handle.db as any, { migrationsFolder: folder });
    } finally {
      await lock.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
      lock.release();
    }
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants its driver's concrete type
    await run(handle.db as any, { migrationsFolder: folder });
  }
}

/**
 * Whether the last committed migration is applied, read with SELECT only: a server connecting as
 * the runtime role (which may not create anything) starts once the owner has migrated.
 */
async function upToDate(pool: Pool, folder: string): Promise<boolean> {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  const last = journal.entries[journal.entries.length - 1]?.when;
  if (last === undefined) return true;
  try {
    const r = await pool.query<{ at: string | null }>("select max(created_at)::text as at from drizzle.__drizzle_migrations");
    return r.rows[0]?.at !== null && Number(r.rows[0]?.at) >= last;
  } catch {
    return false;
  }
}
