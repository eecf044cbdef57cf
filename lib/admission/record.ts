import type { Database } from "@/db/client";
import { appendToLedger, existingDeliveries, lockLedger, type NewLedgerEntry } from "../ledger/ledger";

export const ADMISSION_SOURCE = "k8s-admission";

interface Pending {
  entry: NewLedgerEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}
const queues = new WeakMap<Database, { pending: Pending[]; running: boolean }>();
/** At most this many reviews' entries in one append (one statement, well under appendToLedger's 5,000). */
const MAX_GROUP = 500;

/**
 * Keeps an admission review that refused, warned or let a person in, with Custody's answer, as a
 * ledger entry (observed state is evidence). The API server may send the same uid again on retry:
 * one entry per uid.
 *
 * Resolves once the entry is committed, so no answer leaves before its record. Group commit:
 * reviews that arrive while this process's previous append holds the ledger lock wait and are
 * then appended together (one lock, one duplicate check, one statement, one commit), each in the
 * order it arrived. Under a burst of refusals the head lock is taken once per group instead of
 * once per review, so refusals no longer queue for it one by one (nor hold a pool connection each
 * while they wait). If a group fails, each review is retried alone, so one cannot fail the others.
 */
export function recordAdmission(db: Database, uid: string, operation: string, body: unknown, answer: Record<string, unknown>, at: Date): Promise<void> {
  const entry: NewLedgerEntry = {
    source: ADMISSION_SOURCE,
    eventType: `admission.${operation.toLowerCase()}`,
    deliveryId: uid,
    contentType: "application/json",
    receivedAt: at,
    body: JSON.stringify({ review: body, answer }),
    status: "used",
    reason: null,
  };
  return new Promise((resolve, reject) => {
    let q = queues.get(db);
    if (!q) {
      q = { pending: [], running: false };
      queues.set(db, q);
    }
    q.pending.push({ entry, resolve, reject });
    if (!q.running) void drain(db, q);
  });
}

async function drain(db: Database, q: { pending: Pending[]; running: boolean }): Promise<void> {
  q.running = true;
  try {
    while (q.pending.length > 0) {
      const group = q.pending.splice(0, MAX_GROUP);
      try {
        await appendAdmissions(db, group.map((p) => p.entry));
        for (const p of group) p.resolve();
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else {
          for (const p of group) {
            try {
              await appendAdmissions(db, [p.entry]);
              p.resolve();
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

/** One transaction: the head lock, which uids are already stored, the new entries in arrival order. */
async function appendAdmissions(db: Database, entries: NewLedgerEntry[]): Promise<void> {
  await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const seen = await existingDeliveries(tx, ADMISSION_SOURCE, [...new Set(entries.map((e) => e.deliveryId))]);
    const fresh = entries.filter((e) => {
      if (seen.has(e.deliveryId)) return false;
      seen.add(e.deliveryId);
      return true;
    });
    await appendToLedger(tx, head, fresh);
  });
}
