import type { Database } from "@/db/client";
import { AT_HEAD_MAX, appendAtHead, appendToLedger, existingDeliveries, lockLedger, readLedgerHead, type LedgerHeadState, type NewLedgerEntry } from "../ledger/ledger";

export const ADMISSION_SOURCE = "k8s-admission";

interface Pending {
  entry: NewLedgerEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}
const queues = new WeakMap<Database, { pending: Pending[]; running: boolean }>();
/** At most this many reviews' entries in one append (appendAtHead's one statement). */
const MAX_GROUP = AT_HEAD_MAX;

/**
 * Keeps an admission review that refused, warned or let a person in, with Custody's answer, as a
 * ledger entry (observed state is evidence). The API server may send the same uid again on retry:
 * one entry per uid.
 *
 * Resolves once the entry is committed, so no answer leaves before its record. Group commit:
 * reviews that arrive while this process's previous append is in flight wait and are then
 * appended together (one statement that checks the head and the uids and commits on its own, see
 * appendAdmissions), each in the order it arrived. Under a burst of refusals the head row is
 * taken once per group instead of once per review, so refusals do not queue for it one by one (nor
 * hold a pool connection each while they wait). If a group fails, each review is retried alone, so one cannot fail the others.
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

/** The ledger head after this process's last append for a database (the next appendAtHead's guess). */
const heads = new WeakMap<Database, LedgerHeadState>();
/** Guesses at the head (each re-read after a miss) before appending under the lock instead. */
const AT_HEAD_TRIES = 3;

/**
 * The new entries, once each uid: usually one statement (appendAtHead), committed on its own,
 * after the head this process last left; when another appender moved the head meanwhile, the head
 * is read again and the statement retried, and after AT_HEAD_TRIES misses the entries are appended
 * in a transaction under the head lock. A uid already stored is left out (a retry from the API
 * server), whichever way the entries go.
 */
async function appendAdmissions(db: Database, entries: NewLedgerEntry[]): Promise<void> {
  let pending = entries;
  for (let i = 0; i < AT_HEAD_TRIES; i++) {
    const head = heads.get(db) ?? (await readLedgerHead(db));
    const { appended, seen } = await appendAtHead(db, head, ADMISSION_SOURCE, onceEach(pending, new Set()));
    if (appended) {
      heads.set(db, appended);
      return;
    }
    heads.delete(db);
    pending = pending.filter((e) => !seen.has(e.deliveryId));
    if (pending.length === 0) return;
  }
  await appendUnderLock(db, pending);
}

/** The entries in arrival order, the first of each uid not in `seen`. */
function onceEach(entries: NewLedgerEntry[], seen: ReadonlySet<string>): NewLedgerEntry[] {
  const kept = new Set<string>();
  return entries.filter((e) => {
    if (seen.has(e.deliveryId) || kept.has(e.deliveryId)) return false;
    kept.add(e.deliveryId);
    return true;
  });
}

/** One transaction: the head lock, which uids are already stored, the new entries in arrival order. */
async function appendUnderLock(db: Database, entries: NewLedgerEntry[]): Promise<void> {
  await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const seen = await existingDeliveries(tx, ADMISSION_SOURCE, [...new Set(entries.map((e) => e.deliveryId))]);
    await appendToLedger(tx, head, onceEach(entries, seen));
  });
  heads.delete(db);
}
