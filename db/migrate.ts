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
