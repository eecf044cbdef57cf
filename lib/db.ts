import { openDatabase, type Database, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { config } from "./config";
import { setEvaluationMode, setEvaluationShards, startEvaluationWorker, stopEvaluationWorker } from "./evaluation/queue";
import { startCheckpointTimer, stopCheckpointTimer } from "./ledger/checkpoints";
import { startNotificationWorker, stopNotificationWorker } from "./notifications/worker";
import { startPartitionMaintenance, stopPartitionMaintenance } from "./partitions/maintain";

const g = globalThis as unknown as { __custodyDb?: Promise<DatabaseHandle> };

/** The process's one database handle (kept on globalThis so dev reloads reuse it). */
export function databaseHandle(): Promise<DatabaseHandle> {
  g.__custodyDb ??= (async () => {
    const c = config();
    if (c.migrationUrl) {
      const owner = await openDatabase({ url: c.migrationUrl });
      await migrate(owner).finally(() => owner.close());
    }
    const handle = await openDatabase(c.databaseUrl ? { url: c.databaseUrl } : { dataDir: c.dataDir });
    if (!c.migrationUrl) await migrate(handle);
    // CUSTODY_EVALUATOR=external: this process stores and queues; `custody worker` judges.
    setEvaluationMode(handle.db, c.evaluator);
    setEvaluationShards(handle.db, c.evaluationShards);
    startEvaluationWorker(handle.db);
    startCheckpointTimer(handle.db);
    startNotificationWorker(handle.db);
    // This month's and the next months' partitions of the ledger and audit log, then hourly.
    await startPartitionMaintenance(handle.db);
    return handle;
  })().catch((error: unknown) => {
    g.__custodyDb = undefined;
    throw error;
  });
  return g.__custodyDb;
}

export async function getDb(): Promise<Database> {
  return (await databaseHandle()).db;
}

export async function closeDb(): Promise<void> {
  const pending = g.__custodyDb;
  g.__custodyDb = undefined;
  if (pending) {
    const handle = await pending;
    await stopEvaluationWorker(handle.db);
    await stopCheckpointTimer(handle.db);
    await stopNotificationWorker(handle.db);
    stopPartitionMaintenance(handle.db);
    await handle.close();
  }
}

/** Points the process's handle at an already open database (tests, benchmarks). */
export function setDatabase(handle: DatabaseHandle): void {
  g.__custodyDb = Promise.resolve(handle);
}
