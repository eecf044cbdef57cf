import type { Database, Transaction } from "@/db/client";
import { evaluateTouched } from "../evaluation";
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

/** Gate checks and drift rules re-run on what the projection touched, in the same transaction. */
export const runEvaluators = (tx: Transaction, touched: Touched): Promise<void> => evaluateTouched(tx, touched);

/**
 * Ledger first: in one transaction, lock the ledger head, drop deliveries already stored, project
 * the rest, run the evaluators, append them to the hash chain. Nothing is acknowledged before the
 * commit, and a failure anywhere stores nothing.
 */
export async function ingest(db: Database, deliveries: PreparedDelivery[], receivedAt = new Date()): Promise<IngestResult> {
  const started = performance.now();
  const counted = { fresh: [] as PreparedDelivery[], repeated: [] as PreparedDelivery[] };
  const result = await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const bySource = new Map<string, string[]>();
    for (const d of deliveries) bySource.set(d.source, [...(bySource.get(d.source) ?? []), d.deliveryId]);
    const seen = new Set<string>();
    for (const [source, ids] of bySource) {
      for (const id of await existingDeliveries(tx, source, ids)) seen.add(`${source}\u0000${id}`);
    }
    const fresh: PreparedDelivery[] = [];
    const duplicates: string[] = [];
    for (const d of deliveries) {
      const key = `${d.source}\u0000${d.deliveryId}`;
      if (seen.has(key)) {
        duplicates.push(d.deliveryId);
        counted.repeated.push(d);
      } else {
        seen.add(key);
        fresh.push(d);
      }
    }
    const touched = emptyTouched();
    if (fresh.length > 0) {
      await applyEvents(
        tx,
        fresh.flatMap((d) => d.events),
        touched,
      );
      await runEvaluators(tx, touched);
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
    counted.fresh = fresh;
    return { stored: fresh.map((d) => d.deliveryId), duplicates, touched };
  });
  observeIngest(counted.fresh, counted.repeated, (performance.now() - started) / 1000);
  return result;
}
