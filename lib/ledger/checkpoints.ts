import { createPublicKey } from "node:crypto";
import { asc, desc, eq, gt, gte } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { ledgerCheckpoints, type LedgerCheckpoint } from "@/db/schema";
import { config } from "../config";
import { log } from "../log";
import { instanceSigningKey, type SigningKey } from "../signing/keys";
import { Frontier } from "./merkle";
import { checkpointText, noteKeyId, signNote, verifierKey } from "./signed-note";
import { rootAt, treeHead } from "./tree";
import { witnessCheckpoint } from "./witness";

export type CheckpointTrigger = "entries" | "interval" | "package";

/** The note's key name is its origin (C2SP tlog-checkpoint). */
export const checkpointOrigin = () => config().checkpoints.origin;

/** The verifier key text (`name+id+key`) that Go's note package and witnesses read. */
export function checkpointVerifierKey(key: SigningKey): string {
  return verifierKey(checkpointOrigin(), createPublicKey(key.privateKey));
}

export async function latestCheckpoint(db: Queryable): Promise<LedgerCheckpoint | null> {
  const [row] = await db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.treeSize)).limit(1);
  return row ?? null;
}

/** Checkpoints with a tree size of at least `from`, oldest first, after the cursor (a tree size). */
export async function listCheckpoints(db: Queryable, opts: { from: number; after?: number; limit: number }): Promise<LedgerCheckpoint[]> {
  const lower = opts.after !== undefined ? gt(ledgerCheckpoints.treeSize, Math.max(opts.after, opts.from - 1)) : gte(ledgerCheckpoints.treeSize, opts.from);
  return db.select().from(ledgerCheckpoints).where(lower).orderBy(asc(ledgerCheckpoints.treeSize)).limit(opts.limit);
}

/**
 * Signs a checkpoint of the ledger as committed now (its whole size), unless one of that size
 * exists; witnesses a new one. Returns null for an empty ledger or without a signing key.
 */
export async function signCheckpoint(db: Queryable, trigger: CheckpointTrigger, key = instanceSigningKey()): Promise<LedgerCheckpoint | null> {
  if (!key) return null;
  const head = await treeHead(db);
  if (head.size === 0) return null;
  return signCheckpointAt(db, head.size, trigger, key, head.frontier);
}

/** Signs the checkpoint of the first `size` entries (already committed). */
export async function signCheckpointAt(db: Queryable, size: number, trigger: CheckpointTrigger, key: SigningKey, frontier: string | null = null): Promise<LedgerCheckpoint> {
  const f = frontier ? Frontier.parse(frontier) : null;
  const root = f?.size === size ? f.root() : await rootAt(db, size);
  const origin = checkpointOrigin();
  const publicKey = createPublicKey(key.privateKey);
  const note = signNote(checkpointText({ origin, treeSize: size, rootHash: root }), origin, key.privateKey, publicKey);
  const [row] = await db
    .insert(ledgerCheckpoints)
    .values({ treeSize: size, rootHash: root.toString("hex"), note, keyId: noteKeyId(origin, publicKey).toString("hex"), trigger })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    // Signed before (by this or another process): that one stands, and was witnessed then.
    const [other] = await db.select().from(ledgerCheckpoints).where(eq(ledgerCheckpoints.treeSize, size));
    if (!other) throw new Error(`checkpoint ${size} vanished`);
    return other;
  }
  await witnessCheckpoint(note, size);
  return row;
}

/** Whether the ledger has grown by N entries, or for M minutes, since the last checkpoint. */
export async function checkpointDue(db: Queryable, now = new Date()): Promise<CheckpointTrigger | null> {
  const { everyEntries, everyMinutes } = config().checkpoints;
  const [head, last] = await Promise.all([treeHead(db), latestCheckpoint(db)]);
  const signed = last?.treeSize ?? 0;
  if (head.size <= signed) return null;
  if (head.size - signed >= everyEntries) return "entries";
  if (!last || now.getTime() - last.signedAt.getTime() >= everyMinutes * 60_000) return "interval";
  return null;
}

export async function checkpointIfDue(db: Queryable): Promise<LedgerCheckpoint | null> {
  const trigger = await checkpointDue(db);
  return trigger ? signCheckpoint(db, trigger) : null;
}

/** The database was closed (or dropped) under a pending check: nothing to sign, nothing to report. Drizzle wraps the driver's error as its cause. */
const closed = (e: unknown): boolean => {
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    if (/pool after calling end|PGlite is closed|Connection terminated|terminating connection due to administrator command/i.test(c instanceof Error ? c.message : String(c))) return true;
  }
  return false;
};
type State = { running: Promise<void> | null; again: boolean; timer: NodeJS.Timeout | null; deferred: NodeJS.Timeout | null; lastCheck: number };
const state = new WeakMap<Database, State>();
const stateOf = (db: Database): State => {
  let s = state.get(db);
  if (!s) state.set(db, (s = { running: null, again: false, timer: null, deferred: null, lastCheck: 0 }));
  return s;
};
/** At most one look at the head per second per process, however many requests commit. */
const CHECK_INTERVAL_MS = 1000;

/** After a commit that appended: signs a checkpoint if one is due, off the request's path. */
export function requestCheckpoint(db: Database): void {
  const s = stateOf(db);
  if (s.running) {
    s.again = true;
    return;
  }
  const wait = s.lastCheck + CHECK_INTERVAL_MS - Date.now();
  if (wait > 0) {
    s.deferred ??= setTimeout(() => {
      s.deferred = null;
      requestCheckpoint(db);
    }, wait).unref();
    return;
  }
  s.lastCheck = Date.now();
  s.running = (async () => {
    try {
      do {
        s.again = false;
        await checkpointIfDue(db);
      } while (s.again);
    } catch (error) {
      if (!closed(error)) log.error("checkpoint signing failed", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      s.running = null;
    }
  })();
}

/** Resolves once a checkpoint requested so far is signed (tests, the CLI before it exits). */
export async function checkpointsSettled(db: Database): Promise<void> {
  while (stateOf(db).running) await stateOf(db).running;
}

/** Every minute, so a quiet ledger still gets its M-minute checkpoint over the last entries. */
export function startCheckpointTimer(db: Database, intervalMs = 60_000): void {
  const s = stateOf(db);
  if (s.timer) return;
  s.timer = setInterval(() => requestCheckpoint(db), intervalMs);
  s.timer.unref();
}

export async function stopCheckpointTimer(db: Database): Promise<void> {
  const s = stateOf(db);
  if (s.timer) clearInterval(s.timer);
  if (s.deferred) clearTimeout(s.deferred);
  s.timer = null;
  s.deferred = null;
  await checkpointsSettled(db);
}
