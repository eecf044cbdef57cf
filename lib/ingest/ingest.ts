import type { Database, Transaction } from "@/db/client";
import { evaluateTouched } from "../evaluation";
import { enqueueEvaluation, requestEvaluation } from "../evaluation/queue";
import type { CustodyEvent } from "../events/schema";
import { appendToLedger, existingDeliveries, lockLedger, type LedgerStatus, type NewLedgerEntry } from "../ledger/ledger";
import { observeIngest } from "../metrics";
import { applyEvents } from "../projections/apply";
import { emptyTouched, type Touched } from "../projections/touched";

/** One request's worth of evidence, verified and parsed, ready to be stored. */
export interface PreparedDelivery {
  source: string;
  eventType: string;
  deliveryId: string;
  contentType: string | null;
  body: string;
  events: CustodyEvent[];
  status: LedgerStatus;
  reason: string | null;
}

export interface IngestResult {
  stored: string[];
  duplicates: string[];
  touched: Touched;
}

/** Gate checks and drift rules re-run on what the projection touched, in the caller's transaction (rebuild). */
export const runEvaluators = (tx: Transaction, touched: Touched): Promise<void> => evaluateTouched(tx, touched);

type Outcome = Map<PreparedDelivery, "stored" | "duplicate">;

/**
 * Ledger first: in one transaction, lock the ledger head, drop deliveries already stored, project
 * the rest, queue what they touched for evaluation, append them to the hash chain. Nothing is
 * acknowledged before the commit, and a failure anywhere stores nothing. Gate checks and drift
 * rules run after the commit (lib/evaluation/queue.ts), so ingestion does not wait for them.
 */
async function ingestTogether(db: Database, deliveries: PreparedDelivery[], receivedAt: Date): Promise<{ outcome: Outcome; touched: Touched }> {
  const started = performance.now();
  const result = await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const bySource = new Map<string, string[]>();
    for (const d of deliveries) bySource.set(d.source, [...(bySource.get(d.source) ?? []), d.deliveryId]);
    const seen = new Set<string>();
    for (const [source, ids] of bySource) {
      for (const id of await existingDeliveries(tx, source, ids)) seen.add(`${source}\u0000${id}`);
    }
    const outcome: Outcome = new Map();
    const fresh: PreparedDelivery[] = [];
    for (const d of deliveries) {
      const key = `${d.source}\u0000${d.deliveryId}`;
      if (seen.has(key)) outcome.set(d, "duplicate");
      else {
        seen.add(key);
        fresh.push(d);
        outcome.set(d, "stored");
      }
    }
    const touched = emptyTouched();
    if (fresh.length > 0) {
      await applyEvents(
        tx,
        fresh.flatMap((d) => d.events),
        touched,
      );
      await enqueueEvaluation(tx, touched);
      const entries: NewLedgerEntry[] = fresh.map((d) => ({
        source: d.source,
        eventType: d.eventType,
        deliveryId: d.deliveryId,
        contentType: d.contentType,
        receivedAt,
        body: d.body,
        status: d.status,
        reason: d.reason,
      }));
      await appendToLedger(tx, head, entries);
    }
    return { outcome, touched };
  });
  if (result.outcome.size > 0 && [...result.outcome.values()].includes("stored")) requestEvaluation(db);
  observeIngest(
    deliveries.filter((d) => result.outcome.get(d) === "stored"),
    deliveries.filter((d) => result.outcome.get(d) === "duplicate"),
    (performance.now() - started) / 1000,
  );
  return result;
}

function resultOf(deliveries: PreparedDelivery[], r: { outcome: Outcome; touched: Touched }): IngestResult {
  const stored: string[] = [];
  const duplicates: string[] = [];
  for (const d of deliveries) (r.outcome.get(d) === "stored" ? stored : duplicates).push(d.deliveryId);
  return { stored, duplicates, touched: r.touched };
}

interface Pending {
  deliveries: PreparedDelivery[];
  receivedAt: Date;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}
const queues = new WeakMap<Database, { pending: Pending[]; running: boolean }>();
const MAX_GROUP = 2000;

/**
 * Group commit: requests that arrive while a transaction holds the ledger lock wait and are then
 * stored together in the next one (one lock, one fsync), each answered with its own result. If a
 * group fails, each request is retried alone, so one bad request cannot fail the others.
 */
export function ingest(db: Database, deliveries: PreparedDelivery[], receivedAt = new Date()): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    let q = queues.get(db);
    if (!q) {
      q = { pending: [], running: false };
      queues.set(db, q);
    }
    q.pending.push({ deliveries, receivedAt, resolve, reject });
    if (!q.running) void drain(db, q);
  });
}

async function drain(db: Database, q: { pending: Pending[]; running: boolean }): Promise<void> {
  q.running = true;
  try {
    while (q.pending.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (q.pending.length > 0 && (group.length === 0 || size + (q.pending[0]?.deliveries.length ?? 0) <= MAX_GROUP)) {
        const next = q.pending.shift();
        if (!next) break;
        group.push(next);
        size += next.deliveries.length;
      }
      const receivedAt = group[0]?.receivedAt ?? new Date();
      try {
        const r = await ingestTogether(
          db,
          group.flatMap((p) => p.deliveries),
          receivedAt,
        );
        for (const p of group) p.resolve(resultOf(p.deliveries, r));
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else {
          for (const p of group) {
            try {
              p.resolve(resultOf(p.deliveries, await ingestTogether(db, p.deliveries, p.receivedAt)));
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    }
  } finally {
    q.running = false;
  }
}
