import { asc, eq, gt } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { chainHeads, ledgerCheckpoints, ledgerEvents, type LedgerEvent } from "@/db/schema";
import { GENESIS_HASH } from "./hashing";
import { streamLedgerCopy } from "./copy-rows";
import { LedgerVerifier } from "./verifier";

export { LedgerVerifier, type ChainProblem, type VerifiedEntry } from "./verifier";

export interface VerifyResult {
  ok: boolean;
  events: number;
  head: string;
  firstBadSeq: number | null;
  reason?: string;
}

export interface FullVerification {
  /** The hash chain, as `GET /api/v1/ledger/verify` answers it. */
  chain: VerifyResult;
  /** The Merkle tree grown over every entry's stored hash, whatever the chain said. */
  tree: { size: number; root: string; roots: Map<number, string>; problem: string | null };
  /** The head row and the stored checkpoints, read in the same snapshot as the entries on Postgres. */
  stored: { seq: number; hash: string; frontier: string | null; checkpoints: { treeSize: number; rootHash: string }[] };
  /** How the entries were read: Postgres's binary COPY stream, or pages of rows (PGlite). */
  read: "copy" | "pages";
}

/**
 * Full verification of the ledger in one pass: the chain (bodies, links, hashes, no gap, the
 * head), and the Merkle tree with its root at every stored checkpoint and at `sizes` (witnessed
 * checkpoints). On Postgres the entries stream as binary COPY; on PGlite they are read in pages.
 * `custody verify`, `custody rebuild` and `GET /api/v1/ledger/verify` use it.
 */
export async function verifyLedgerFull(db: Queryable, opts: { sizes?: number[]; pageSize?: number } = {}): Promise<FullVerification> {
  const verifier = new LedgerVerifier(opts.sizes ?? []);
  const readCheckpoints = (rows: Record<string, unknown>[]) => rows.map((r) => ({ treeSize: Number(r.tree_size), rootHash: String(r.root_hash) }));
  type Head = FullVerification["stored"];
  const streamed = await streamLedgerCopy(
    db,
    async (run) => {
      const checkpoints = readCheckpoints(await run("select tree_size, root_hash from ledger_checkpoints order by tree_size"));
      verifier.want(checkpoints.map((c) => c.treeSize));
      return checkpoints;
    },
    (t) => verifier.pushTuple(t),
    async (run) => (await run("select seq, hash, frontier from chain_heads where chain = 'ledger'"))[0],
  );
  let stored: Head;
  if (streamed) {
    const head = streamed.after;
    stored = { seq: Number(head?.seq ?? 0), hash: String(head?.hash ?? GENESIS_HASH), frontier: (head?.frontier as string | null) ?? null, checkpoints: streamed.before };
  } else {
    const checkpoints = (await db.select({ treeSize: ledgerCheckpoints.treeSize, rootHash: ledgerCheckpoints.rootHash }).from(ledgerCheckpoints).orderBy(asc(ledgerCheckpoints.treeSize))).map((c) => ({
      treeSize: Number(c.treeSize),
      rootHash: c.rootHash,
    }));
    verifier.want(checkpoints.map((c) => c.treeSize));
    const pageSize = opts.pageSize ?? 2000;
    let after = 0;
    for (;;) {
      const page: LedgerEvent[] = await db.select().from(ledgerEvents).where(gt(ledgerEvents.seq, after)).orderBy(asc(ledgerEvents.seq)).limit(pageSize);
      for (const e of page) verifier.push(e);
      if (page.length < pageSize) break;
      after = page[page.length - 1]?.seq ?? after;
    }
    const [head] = await db.select().from(chainHeads).where(eq(chainHeads.chain, "ledger"));
    stored = { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH, frontier: head?.frontier ?? null, checkpoints };
  }

  const events = verifier.verified;
  let chain: VerifyResult;
  if (verifier.problem) chain = { ok: false, events, head: verifier.head, firstBadSeq: verifier.problem.seq, reason: verifier.problem.reason };
  else if (stored.seq !== events || stored.hash !== verifier.head)
    chain = { ok: false, events, head: verifier.head, firstBadSeq: events + 1, reason: "ledger head does not match the last entry (entries missing?)" };
  else chain = { ok: true, events, head: verifier.head, firstBadSeq: null };
  return {
    chain,
    tree: { size: verifier.size, root: verifier.root().toString("hex"), roots: verifier.roots, problem: verifier.treeProblem },
    stored,
    read: streamed ? "copy" : "pages",
  };
}
