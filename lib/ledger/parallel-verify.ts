import { Worker } from "node:worker_threads";
import type { Queryable } from "@/db/client";
import { GENESIS_HASH } from "./chain";
import { verifyLedgerFull, type FullVerification } from "./full-verify";
import { nodeHash } from "./merkle";
import type { SegmentJob, SegmentResult } from "./verify-segment";

/** Below this many entries one thread is quicker than starting two. */
export const PARALLEL_MIN_ENTRIES = 65_536;

interface PgPool {
  connect: () => Promise<{ query: (text: string) => Promise<{ rows: Record<string, unknown>[] }>; release: (err?: Error | boolean) => void }>;
  options?: { connectionString?: string };
}

function poolOf(db: Queryable): PgPool | null {
  const client = (db as unknown as { session?: { client?: Record<string, unknown> } }).session?.client;
  if (!client || typeof client.connect !== "function" || !("totalCount" in client)) return null;
  const pool = client as unknown as PgPool;
  return typeof pool.options?.connectionString === "string" ? pool : null;
}

function segment(job: SegmentJob): Promise<SegmentResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./verify-worker.mjs", import.meta.url), { workerData: job });
    let settled = false;
    worker.once("message", (m: { result?: SegmentResult; error?: string }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? "verification worker failed"));
      void worker.terminate();
    });
    worker.once("error", (e) => (settled = true) && reject(e));
    worker.once("exit", (code) => settled || reject(new Error(`verification worker exited with code ${code}`)));
  });
}

/**
 * `verifyLedgerFull` on two threads, for `custody verify` and `custody rebuild` on Postgres: the
 * ledger is split at the largest power of two below its size, P, so the first P entries are a
 * perfect subtree; each part is read (its own COPY, on its own connection, in the snapshot the
 * main connection exported with the checkpoints and the head) and verified by a worker thread
 * (LedgerVerifier, as one thread does it). The second part takes its first link on trust and the
 * two are joined here: its first entry's previous hash must be the first part's last hash, and the
 * root of any size s > P is MTH = SHA-256(0x01 ‖ root of the first P ‖ root of the entries P..s),
 * RFC 9162's own split. Anything else than a whole, sound ledger (a problem in either part, a gap,
 * a count that does not fit) is verified again on one thread, which names the first entry that
 * does not hold exactly as always: the fast path only ever answers "everything holds".
 * On PGlite, inside a transaction, or below PARALLEL_MIN_ENTRIES: verifyLedgerFull.
 */
export async function verifyLedgerFullParallel(db: Queryable, opts: { sizes?: number[]; minEntries?: number } = {}): Promise<FullVerification> {
  const pool = poolOf(db);
  if (!pool) return verifyLedgerFull(db, { sizes: opts.sizes });
  const client = await pool.connect();
  let failed: Error | undefined;
  let result: FullVerification | null = null;
  try {
    await client.query("begin isolation level repeatable read read only");
    const checkpoints = (await client.query("select tree_size, root_hash from ledger_checkpoints order by tree_size")).rows.map((r) => ({
      treeSize: Number(r.tree_size),
      rootHash: String(r.root_hash),
    }));
    const head = (await client.query("select seq, hash, frontier from chain_heads where chain = 'ledger'")).rows[0];
    const stored = { seq: Number(head?.seq ?? 0), hash: String(head?.hash ?? GENESIS_HASH), frontier: (head?.frontier as string | null) ?? null, checkpoints };
    if (stored.seq >= Math.max(2, opts.minEntries ?? PARALLEL_MIN_ENTRIES)) {
      const snapshot = String((await client.query("select pg_export_snapshot() as s")).rows[0]?.s);
      let p = 1;
      while (p * 2 < stored.seq) p *= 2;
      const sizes = [...new Set([...checkpoints.map((c) => c.treeSize), ...(opts.sizes ?? [])])];
      const connectionString = pool.options?.connectionString as string;
      const parts = await Promise.all([
        segment({ connectionString, snapshot, after: 0, upTo: p, sizes: sizes.filter((s) => s <= p) }),
        segment({ connectionString, snapshot, after: p, upTo: null, sizes: sizes.filter((s) => s > p).map((s) => s - p) }),
      ]).catch(() => null);
      const [a, b] = parts ?? [];
      if (a && b && a.ok && b.ok && a.count === p && b.count <= p && (b.count === 0 || b.firstPrev === a.last)) {
        const size = p + b.count;
        const rootA = Buffer.from(a.root, "hex");
        const join = (local: string) => nodeHash(rootA, Buffer.from(local, "hex")).toString("hex");
        const roots = new Map<number, string>(a.roots);
        for (const [s, r] of b.roots) roots.set(s + p, join(r));
        const last = b.count > 0 ? b.last : a.last;
        result = {
          chain:
            stored.seq !== size || stored.hash !== last
              ? { ok: false, events: size, head: last, firstBadSeq: size + 1, reason: "ledger head does not match the last entry (entries missing?)" }
              : { ok: true, events: size, head: last, firstBadSeq: null },
          tree: { size, root: b.count > 0 ? join(b.root) : a.root, roots, problem: null },
          stored,
          read: "copy",
        };
      }
    }
    await client.query("commit");
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    client.release(failed ?? false);
  }
  return result ?? verifyLedgerFull(db, { sizes: opts.sizes });
}
