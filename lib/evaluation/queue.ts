import { sql } from "drizzle-orm";
import { bulkInsert } from "@/db/bulk";
import { queryRows, readerBeside, type Database, type Queryable } from "@/db/client";
import { evaluationQueue } from "@/db/schema";
import { log } from "../log";
import { emptyTouched, isEmptyTouched, mergeTouchedJson, touchedToJson, type Touched } from "../projections/touched";
import { evaluateTouched } from "./index";

/**
 * Evaluation runs after ingestion, not inside it. The ingest transaction stores the evidence, its
 * ledger entries and one queue row naming what it touched, and answers 202; evaluators then judge
 * the queued rows (gate checks, drift rules) in their own transactions.
 *
 * The queue is sharded (CUSTODY_EVALUATION_SHARDS, the same in every process). Every shard judges
 * every row, in queue order, under a transaction-scoped advisory lock of its own, restricted to
 * what it owns; the row is deleted once every shard has. So N processes judge N shards side by
 * side, and within a shard findings open and resolve in the order the evidence was stored, as
 * with one evaluator. What a shard owns is chosen so no finding is decided in two shards:
 * - gate checks by image (a deployment's digest): an image's findings, and the staging and
 *   production deployments of a promotion, are all judged in one shard;
 * - drift by environment: a snapshot (the heaviest evidence) describes one environment, and its
 *   workloads', controllers', exec and GitOps findings are that environment's.
 * Service was the other candidate: it would split neither a snapshot (every service of a cluster)
 * nor an image deployed under two service names. The daily roll-ups, recounted per day and
 * environment from several image shards, are recounted under a lock per day (rollups.ts).
 */
const LOCK_CLASS = sql`hashtext('custody.evaluation')`;
/** Queue rows judged together: their touched sets are merged and evaluated as one batch. */
const GROUP = 50;
/**
 * A drain whose last round found fewer rows than this in every shard left the queue nearly empty:
 * the next one gathers first (setEvaluationGather). One that found more drains again at once, as
 * rows arrive faster than they are judged and waiting would only let the queue grow.
 */
export const GATHER_BELOW = 5;
/** A row whose evaluation failed alone this often is set aside (kept, with its error) for an operator. */
export const MAX_ATTEMPTS = 3;
/** Bits of `done_shards`: at most this many shards. */
export const MAX_SHARDS = 30;

export async function enqueueEvaluation(tx: Queryable, touched: Touched): Promise<void> {
  if (isEmptyTouched(touched)) return;
  await bulkInsert(tx, evaluationQueue, [{ touched: touchedToJson(touched) }]);
}

type QueueRow = { id: number | string; touched: Record<string, unknown> };
type Shard = { index: number; count: number };
const bit = (s: Shard) => 1 << s.index;
const full = (count: number) => (1 << count) - 1;
/** Rows this shard has still to judge. */
const pendingFor = (s: Shard) => sql`attempts < ${MAX_ATTEMPTS} and (done_shards & ${bit(s)}) = 0`;

/** What each shard of this process judged: rows per shard index (for logs, tests and benches). */
const judgedByShard = new WeakMap<Database, Map<number, number>>();
export function shardsJudged(db: Database): Map<number, number> {
  let m = judgedByShard.get(db);
  if (!m) judgedByShard.set(db, (m = new Map()));
  return m;
}

/** Judges up to GROUP queued rows of one shard in one transaction. `busy` when another evaluator holds its lock. */
async function evaluateRows(db: Database, shard: Shard, only?: number): Promise<{ evaluated: number; busy: boolean }> {
  const r = await db.transaction(async (tx) => {
    const [lock] = await queryRows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${LOCK_CLASS}, ${shard.index}) as ok`);
    if (!lock?.ok) return { evaluated: 0, busy: true };
    const rows = await queryRows<QueueRow>(
      tx,
      only === undefined
        ? sql`select id, touched from evaluation_queue where ${pendingFor(shard)} order by id limit ${GROUP}`
        : sql`select id, touched from evaluation_queue where id = ${only} and ${pendingFor(shard)}`,
    );
    if (rows.length === 0) return { evaluated: 0, busy: false };
    const touched = emptyTouched();
    for (const r of rows) mergeTouchedJson(touched, r.touched);
    touched.queued = rows.map((r) => Number(r.id));
    touched.shard = shard.count > 1 ? shard : null;
    await evaluateTouched(tx, touched, readerBeside(db));
    const ids = sql.param(touched.queued);
    // Rows locked in id order (another shard may be finishing the same rows: no deadlock), then
    // marked; the last shard to judge a row deletes it.
    await tx.execute(sql`update evaluation_queue set done_shards = done_shards | ${bit(shard)}
      where id in (select id from evaluation_queue where id = any(${ids}::bigint[]) order by id for update)`);
    const all = full(shard.count);
    await tx.execute(sql`delete from evaluation_queue where id = any(${ids}::bigint[]) and (done_shards & ${all}) = ${all}`);
    return { evaluated: rows.length, busy: false };
  });
  if (r.evaluated > 0) {
    const m = shardsJudged(db);
    m.set(shard.index, (m.get(shard.index) ?? 0) + r.evaluated);
  }
  return r;
}

/**
 * Judges queued rows until none is left for any shard this process can lock. Each round tries
 * every shard once, starting at a different one in each process, so several processes spread
 * over the shards. When a group fails, each of its rows is retried alone, so one bad row cannot
 * hold back the others; a row that fails alone records its error and is retried at most
 * MAX_ATTEMPTS times. `evaluated` counts rows judged by a shard (a row counts once per shard).
 */
export async function drainEvaluationQueue(
  db: Database,
  beforeGroup?: () => Promise<void>,
): Promise<{ evaluated: number; busy: boolean; lastRound: number }> {
  const count = stateOf(db).shards;
  const start = Math.floor(Math.random() * count);
  let evaluated = 0;
  for (;;) {
    // The most rows one shard judged in this round: how full the queue was when the drain ended.
    let lastRound = 0;
    // Another round only when a shard may have more: it judged a full group, or fell back to
    // judging row by row (its failed rows are retried). A shard that judged fewer than GROUP rows
    // took all it had; rows queued since then come with a requestEvaluation of their own (or the
    // timer), so a round that would find nothing (one transaction per shard) is not run.
    let more = false;
    let busy = false;
    for (let k = 0; k < count; k++) {
      const shard = { index: (start + k) % count, count };
      await beforeGroup?.();
      let r: { evaluated: number; busy: boolean };
      try {
        r = await evaluateRows(db, shard);
        more ||= r.evaluated >= GROUP;
      } catch (error) {
        r = await evaluateOneByOne(db, shard, error);
        more ||= r.evaluated > 0;
      }
      evaluated += r.evaluated;
      lastRound = Math.max(lastRound, r.evaluated);
      busy ||= r.busy;
    }
    if (!more) return { evaluated, busy, lastRound };
  }
}

async function evaluateOneByOne(db: Database, shard: Shard, groupError: unknown): Promise<{ evaluated: number; busy: boolean }> {
  const ids = await queryRows<{ id: number | string }>(db, sql`select id from evaluation_queue where ${pendingFor(shard)} order by id limit ${GROUP}`);
  let evaluated = 0;
  for (const { id } of ids) {
    try {
      const r = await evaluateRows(db, shard, Number(id));
      if (r.busy) return { evaluated, busy: true };
      evaluated += r.evaluated;
    } catch (error) {
      const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `\n${error.cause.message}` : ""}` : String(error);
      // A failed query's message starts with the statement; the database's reason is its cause.
      const brief = (e: unknown) => {
        const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
        return `${(e instanceof Error ? e.message : String(e)).split("\n")[0]?.slice(0, 200) ?? ""}${cause}`;
      };
      log.error("evaluation of a queued batch failed", { queueId: Number(id), shard: shard.index, attempt: "alone", error: brief(error), groupError: brief(groupError) });
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
  /** CUSTODY_EVALUATION_SHARDS: how many shards the queue is judged in (every process the same). */
  shards: number;
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
  /** How long a drain waits after it is asked for before it starts, gathering the rows queued meanwhile (`custody worker`). */
  gatherMs: number;
}
const workers = new WeakMap<Database, WorkerState>();
const stateOf = (db: Database): WorkerState => {
  let s = workers.get(db);
  if (!s) {
    s = { mode: "inline", shards: 1, notifying: false, notifyAgain: false, running: null, again: false, timer: null, ingesting: 0, lastIngest: 0, gatherMs: 0 };
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
      // Rows the previous drain found in its last round (none before the first: it gathers).
      let found = 0;
      do {
        // Each commit asks for a drain; gathering for a moment judges the rows of many commits in
        // one group instead of a transaction per shard for each (see setEvaluationGather). Only
        // when the queue is nearly empty: a full one drains back to back.
        if (s.gatherMs > 0 && found < GATHER_BELOW) await new Promise((resolve) => setTimeout(resolve, s.gatherMs));
        s.again = false;
        found = (await drainEvaluationQueue(db, () => yieldToIngestion(s))).lastRound;
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
 * How long this process's evaluator gathers queued rows before a drain (`custody worker`: 50 ms by
 * default). A worker woken by every commit's NOTIFY otherwise judged each commit's row on its own:
 * at 16 concurrent webhook deliveries, ~35 commits a second, each costing a transaction per shard
 * in every worker, on the cores the server and Postgres share. Findings lag by at most this much more.
 */
export function setEvaluationGather(db: Database, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0 || ms > 10_000) throw new Error("evaluation gather must be 0 to 10,000 ms");
  stateOf(db).gatherMs = ms;
}

/** CUSTODY_EVALUATION_SHARDS for this process's evaluator (1 to MAX_SHARDS). */
export function setEvaluationShards(db: Database, shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new Error(`evaluation shards must be 1 to ${MAX_SHARDS}`);
  stateOf(db).shards = shards;
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
