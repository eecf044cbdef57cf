import path from "node:path";
import type { DatabaseHandle } from "./client";

export const migrationsFolder = () => process.env.CUSTODY_MIGRATIONS_DIR ?? path.join(process.cwd(), "db", "migrations");

/** Applies every committed drizzle-kit migration not yet applied. Safe to run at every start. */
export async function migrate(handle: DatabaseHandle): Promise<void> {
  const folder = migrationsFolder();
  if (handle.driver === "postgres") {
    const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants its driver's concrete type
    await run(handle.db as any, { migrationsFolder: folder });
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants its driver's concrete type
    await run(handle.db as any, { migrationsFolder: folder });
  }
}
