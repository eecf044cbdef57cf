import pg from "pg";
import type { DatabaseHandle } from "@/db/client";
import { log } from "../log";
import { EVALUATION_CHANNEL, requestEvaluation, setEvaluationGather, setEvaluationShards, shardsJudged, startEvaluationWorker, stopEvaluationWorker } from "./queue";

/**
 * How long a worker gathers the rows of further commits after a NOTIFY before judging them, when
 * its previous drain left the queue nearly empty (GATHER_BELOW in queue.ts); a full queue drains back to back.
 */
export const WORKER_GATHER_MS = 50;

/**
 * `custody worker`: judges the evaluation queue in a process of its own, so a burst of evaluation
 * never runs on the HTTP server's event loop (servers run with CUSTODY_EVALUATOR=external). It
 * wakes on the NOTIFY a server sends after each commit, and every `intervalMs` in any case (a lost
 * notification, rows left by a crash). Several workers may run: each shard of the queue
 * (CUSTODY_EVALUATION_SHARDS, by environment) is judged by one of them at a time, under its own
 * advisory lock, in the order the evidence was stored; with as many shards as workers, they all judge.
 */
export async function runEvaluationWorker(
  handle: DatabaseHandle,
  url: string,
  opts: { intervalMs?: number; signal?: AbortSignal; shards?: number; gatherMs?: number } = {},
): Promise<void> {
  setEvaluationShards(handle.db, opts.shards ?? 1);
  // A NOTIFY comes with every commit: the rows of the commits within gatherMs are judged together
  // (unless the previous drain found the queue well filled: then the next drain starts at once).
  setEvaluationGather(handle.db, opts.gatherMs ?? WORKER_GATHER_MS);
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  listener.on("notification", () => requestEvaluation(handle.db));
  listener.on("error", (error) => log.error("evaluation worker lost its LISTEN connection", { error: error.message }));
  await listener.query(`LISTEN ${EVALUATION_CHANNEL}`);
  startEvaluationWorker(handle.db, opts.intervalMs ?? 2000);
  log.info("evaluation worker started", { channel: EVALUATION_CHANNEL, shards: opts.shards ?? 1 });
  try {
    await new Promise<void>((resolve) => {
      if (opts.signal?.aborted) return resolve();
      opts.signal?.addEventListener("abort", () => resolve(), { once: true });
      listener.once("end", () => resolve());
    });
  } finally {
    await listener.end().catch(() => undefined);
    await stopEvaluationWorker(handle.db);
    // Rows judged per shard by this process, on stdout as one line: what an operator (and the
    // two-worker test) reads to see the shards spread over the workers.
    log.info("evaluation worker stopped", { judged: Object.fromEntries([...shardsJudged(handle.db)].sort((a, b) => a[0] - b[0])) });
  }
}
