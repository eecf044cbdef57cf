import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { config } from "../config";
import { stopEvaluationWorker } from "../evaluation/queue";
import { stopCheckpointTimer } from "../ledger/checkpoints";

/** Applies the migrations as the owner role when DATABASE_MIGRATION_URL names one. */
export async function migrateAsOwner(): Promise<boolean> {
  const url = config().migrationUrl;
  if (!url) return false;
  const owner = await openDatabase({ url });
  try {
    await migrate(owner);
  } finally {
    await owner.close();
  }
  return true;
}

/**
 * Opens the configured database (Postgres from DATABASE_URL, else the embedded one) and migrates
 * it: through DATABASE_MIGRATION_URL (the owner role) when set. `owner` opens the owner's URL for
 * the work itself (rebuild truncates projections, which the runtime role may not).
 */
export async function openConfiguredDatabase(opts: { owner?: boolean } = {}): Promise<DatabaseHandle> {
  const c = config();
  const migrated = await migrateAsOwner();
  const url = opts.owner && c.migrationUrl ? c.migrationUrl : c.databaseUrl;
  const handle = await openDatabase(url ? { url } : { dataDir: c.dataDir });
  try {
    if (!migrated) await migrate(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

export async function withDatabase<T>(fn: (handle: DatabaseHandle) => Promise<T>, opts: { owner?: boolean } = {}): Promise<T> {
  const handle = await openConfiguredDatabase(opts);
  try {
    return await fn(handle);
  } finally {
    await stopEvaluationWorker(handle.db);
    await stopCheckpointTimer(handle.db);
    await handle.close();
  }
}
