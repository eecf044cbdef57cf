import { sql } from "drizzle-orm";
import { bulkInsert } from "@/db/bulk";
import { queryRows, readerBeside, type Database, type Queryable } from "@/db/client";
import { evaluationQueue } from "@/db/schema";
import { log } from "../log";
import { emptyTouched, isEmptyTouched, mergeTouchedJson, touchedToJson, type Touched } from "../projections/touched";
import { evaluateTouched } from "./index";

/**
 * Evaluation runs after ingestion, not inside it. The ingest transaction stores the evidence, its
 * ledger entries and one queue row naming what it touched, and answers 202; a worker then judges
 * the queued rows (gate checks, drift rules) and deletes them in one transaction. A transaction-
 * scoped advisory lock lets one evaluator at a time work, across every instance sharing the
 * database, so findings open and resolve in the order the evidence was stored.
 */
const LOCK = sql`hashtext('custody.evaluation')`;
/** Queue rows judged together: their touched sets are merged and evaluated as one batch. */
const GROUP = 50;
/** A row whose evaluation failed alone this often is set aside (kept, with its error) for an operator. */
export const MAX_ATTEMPTS = 3;

export async function enqueueEvaluation(tx: Queryable, touched: Touched): Promise<void> {
  if (isEmptyTouched(touched)) return;
  await bulkInsert(tx, evaluationQueue, [{ touched: touchedToJson(touched) }]);
}

type QueueRow = { id: number | string; touched: Record<string, unknown> };

/** Judges up to `limit` queued rows in one transaction. `busy` when another evaluator holds the lock. */
async function evaluateRows(db: Database, only?: number): Promise<{ evaluated: number; busy: boolean }> {
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${LOCK}) as ok`);
    if (!lock?.ok) return { evaluated: 0, busy: true };
    const rows = await queryRows<QueueRow>(
      tx,
      only === undefined
        ? sql`select id, touched from evaluation_queue where attempts < ${MAX_ATTEMPTS} order by id limit ${GROUP}`
        : sql`select id, touched from evaluation_queue where id = ${only}`,
    );
    if (rows.length === 0) return { evaluated: 0, busy: false };
    const touched = emptyTouched();
    for (const r of rows) mergeTouchedJson(touched, r.touched);
    touched.queued = rows.map((r) => Number(r.id));
    await evaluateTouched(tx, touched, readerBeside(db));
    await tx.execute(sql`delete from evaluation_queue where id = any(${sql.param(touched.queued)}::bigint[])`);
    return { evaluated: rows.length, busy: false };
  });
}

/**
 * Judges queued rows until none is left (or another instance is doing it). When a group fails,
 * each row is retried alone, so one bad row cannot hold back the others; a row that fails alone
 * records its error and is retried at most MAX_ATTEMPTS times.
 */
export async function drainEvaluationQueue(db: Database, beforeGroup?: () => Promise<void>): Promise<{ evaluated: number; busy: boolean }> {
  let evaluated = 0;
  for (;;) {
    await beforeGroup?.();
    let r: { evaluated: number; busy: boolean };
    try {
      r = await evaluateRows(db);
    } catch (error) {
      r = await evaluateOneByOne(db, error);
    }
    evaluated += r.evaluated;
    if (r.busy || r.evaluated === 0) return { evaluated, busy: r.busy };
  }
}

async function evaluateOneByOne(db: Database, groupError: unknown): Promise<{ evaluated: number; busy: boolean }> {
  const ids = await queryRows<{ id: number | string }>(db, sql`select id from evaluation_queue where attempts < ${MAX_ATTEMPTS} order by id limit ${GROUP}`);
  let evaluated = 0;
  for (const { id } of ids) {
    try {
      const r = await evaluateRows(db, Number(id));
      if (r.busy) return { evaluated, busy: true };
      evaluated += r.evaluated;
    } catch (error) {
      const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `\n${error.cause.message}` : ""}` : String(error);
      // A failed query's message starts with the statement; the database's reason is its cause.
      const brief = (e: unknown) => {
        const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
        return `${(e instanceof Error ? e.message : String(e)).split("\n")[0]?.slice(0, 200) ?? ""}${cause}`;
      };
      log.error("evaluation of a queued batch failed", { queueId: Number(id), attempt: "alone", error: brief(error), groupError: brief(groupError) });
      await db.execute(sql`update evaluation_queue set attempts = attempts + 1, last_error = ${message.slice(0, 2000)} where id = ${Number(id)}`);
    }
  }
  return { evaluated, busy: false };
}

/** How many rows wait, and how many were set aside after failing MAX_ATTEMPTS times. */
export async function evaluationBacklog(db: Queryable): Promise<{ pending: number; failed: number }> {
  const [row] = await queryRows<{ pending: string | number; failed: string | number }>(
    db,
    sql`select count(*) filter (where attempts < ${MAX_ATTEMPTS}) as pending, count(*) filter (where attempts >= ${MAX_ATTEMPTS}) as failed from evaluation_queue`,
  );
  return { pending: Number(row?.pending ?? 0), failed: Number(row?.failed ?? 0) };
}

const describe = (e: unknown): string =>
  e instanceof Error ? `${e.message.split("\n")[0] ?? ""}${e.cause instanceof Error ? `: ${e.cause.message}` : ""}` : String(e);

function closedUnder(e: unknown): boolean {
  const text = e instanceof Error ? `${e.message} ${e.cause instanceof Error ? e.cause.message : ""}` : String(e);
  return /pool after calling end|PGlite is closed|Connection terminated/i.test(text);
}

interface WorkerState {
  /**
   * `inline`: this process judges the queue after its own commits. `external`: it stores and
   * queues only, and wakes the evaluators elsewhere (`custody worker`) with a NOTIFY after a commit.
   */
  mode: "inline" | "external";
  /** A NOTIFY in flight, and whether another commit asked for one meanwhile (they coalesce). */
  notifying: boolean;
  notifyAgain: boolean;
  running: Promise<void> | null;
  again: boolean;
  timer: NodeJS.Timeout | null;
  /** Ingest requests of this process between their start and their commit. */
  ingesting: number;
  /** When an ingest request of this process last started or committed. */
  lastIngest: number;
}
const workers = new WeakMap<Database, WorkerState>();
const stateOf = (db: Database): WorkerState => {
  let s = workers.get(db);
  if (!s) {
    s = { mode: "inline", notifying: false, notifyAgain: false, running: null, again: false, timer: null, ingesting: 0, lastIngest: 0 };
    workers.set(db, s);
  }
  return s;
};

/**
 * Ingestion comes first: the worker holds back while this process is handling an ingest request
 * (from the parsing of its body to its commit). Wrap each request's work in `whileIngesting`.
 */
export async function whileIngesting<T>(db: Database, work: () => Promise<T>): Promise<T> {
  noteIngest(db, 1);
  try {
    return await work();
  } finally {
    noteIngest(db, -1);
  }
}

function noteIngest(db: Database, delta: 1 | -1): void {
  const s = stateOf(db);
  s.ingesting = Math.max(0, s.ingesting + delta);
  s.lastIngest = Date.now();
}

/** Maximum time the worker holds back for ingestion before it judges a group anyway. */
const MAX_YIELD_MS = 1000;
/** A pause this long in this process's ingestion lets the worker go (a client's next request arrives within it). */
const QUIET_MS = 20;

async function yieldToIngestion(s: WorkerState): Promise<void> {
  const until = Date.now() + MAX_YIELD_MS;
  while ((s.ingesting > 0 || Date.now() - s.lastIngest < QUIET_MS) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * Asks this process to judge the queue soon (after an ingest commit). Returns at once; at most one
 * drain runs per process, and a request during a drain makes it go round once more.
 */
export function requestEvaluation(db: Database): void {
  const s = stateOf(db);
  if (s.mode === "external") {
    notifyEvaluators(db, s);
    return;
  }
  if (s.running) {
    s.again = true;
    return;
  }
  s.running = (async () => {
    try {
      do {
        s.again = false;
        await drainEvaluationQueue(db, () => yieldToIngestion(s));
      } while (s.again);
    } catch (error) {
      // The database was closed under a drain (shutdown, a finished test): the queue rows stay for
      // the next evaluator; that is not a failure to report.
      if (!closedUnder(error)) log.error("evaluation worker failed", { error: describe(error) });
    } finally {
      s.running = null;
    }
  })();
}

/** The channel `custody worker` listens on; the payload is empty (the queue is the message). */
export const EVALUATION_CHANNEL = "custody_evaluation";

/**
 * Wakes the evaluators of other processes after a commit, off the request's path: one NOTIFY at a
 * time, and commits during it make one more (the worker drains everything queued when it wakes).
 */
function notifyEvaluators(db: Database, s: WorkerState): void {
  if (s.notifying) {
    s.notifyAgain = true;
    return;
  }
  s.notifying = true;
  void (async () => {
    try {
      do {
        s.notifyAgain = false;
        await db.execute(sql`select pg_notify(${EVALUATION_CHANNEL}, '')`);
      } while (s.notifyAgain);
    } catch (error) {
      // The worker's own timer finds the rows within seconds; a lost wake-up is not lost evidence.
      if (!closedUnder(error)) log.warn("could not wake the evaluation worker", { error: describe(error) });
    } finally {
      s.notifying = false;
    }
  })();
}

/**
 * Makes this process store and queue only (CUSTODY_EVALUATOR=external): the queue is judged by
 * `custody worker` processes, off the HTTP server's event loop.
 */
export function setEvaluationMode(db: Database, mode: "inline" | "external"): void {
  stateOf(db).mode = mode;
}

/**
 * Resolves once everything ingested so far has been judged: what a reader that must see the
 * findings of what it just sent waits for (the CLI, the demo loader, tests). Waits for another
 * instance's evaluator when it holds the lock.
 */
export async function evaluationSettled(db: Database, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await stateOf(db).running;
    const r = await drainEvaluationQueue(db);
    if (!r.busy && (await evaluationBacklog(db)).pending === 0) return;
    if (Date.now() > deadline) throw new Error("evaluation did not catch up in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The server's safety net: judges the queue every `intervalMs` too, for rows another instance
 * enqueued while this one was between drains, or left after a crash. The timer does not keep the
 * process alive.
 */
export function startEvaluationWorker(db: Database, intervalMs = 2000): void {
  const s = stateOf(db);
  if (s.timer || s.mode === "external") return;
  s.timer = setInterval(() => requestEvaluation(db), intervalMs);
  s.timer.unref();
  requestEvaluation(db);
}

/** Stops the timer and waits for a drain in flight (graceful shutdown). */
export async function stopEvaluationWorker(db: Database): Promise<void> {
  const s = stateOf(db);
  if (s.timer) clearInterval(s.timer);
  s.timer = null;
  await s.running;
}
