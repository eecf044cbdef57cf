import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { config } from "../config";
import { stopEvaluationWorker } from "../evaluation/queue";

/** Opens the configured database (Postgres from DATABASE_URL, else the embedded one) and migrates it. */
export async function openConfiguredDatabase(): Promise<DatabaseHandle> {
  const c = config();
  const handle = await openDatabase(c.databaseUrl ? { url: c.databaseUrl } : { dataDir: c.dataDir });
  try {
    await migrate(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

export async function withDatabase<T>(fn: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openConfiguredDatabase();
  try {
    return await fn(handle);
  } finally {
    await stopEvaluationWorker(handle.db);
    await handle.close();
  }
}
