import { and, asc, eq, gt, lte, or } from "drizzle-orm";
import { bulkInsert } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { chainHeads, ledgerEvents, ledgerTreeNodes } from "@/db/schema";
import { verificationBase } from "../partitions/base";
import { EMPTY_ROOT, Frontier, LeanFrontier, consistencyPath, inclusionPath, leafHashOfHex, nodeHash, rootOfLeafHashes, splitPoint, type RangeHasher } from "./merkle";

/**
 * The ledger as an RFC 9162 Merkle tree. Leaf i is the entry with seq i + 1. Its leaf hash commits
 * to the entry's chain hash, which covers every field and the body's SHA-256, so a proof for a leaf
 * vouches for the whole entry: for a hash-version 1 entry the leaf data is the 32-byte chain hash
 * (leaf = SHA-256(0x00 ‖ hash)); a version 2 entry's chain hash is itself the leaf hash of its chain
 * text (lib/ledger/ledger.ts). Perfect subtrees of 2^STORED_LEVEL leaves and more are stored
 * as they complete; smaller ones are recomputed from at most 64 entries' hashes.
 */
export const STORED_LEVEL = 6;
const CHUNK = 2 ** STORED_LEVEL;

/** An entry's Merkle leaf hash from its chain hash (hex) and hash version (1 when absent). */
export const entryLeafHash = (entryHashHex: string, hashVersion?: number | null): Buffer =>
  (hashVersion ?? 1) >= 2 ? hashBytes(entryHashHex) : leafHashOfHex(entryHashHex);

function hashBytes(hex: string): Buffer {
  const b = Buffer.from(hex, "hex");
  if (b.length !== 32 || hex.length !== 64) throw new Error("not a hex SHA-256 hash");
  return b;
}

/** What the tree needs of an entry. */
export type LeafSource = { hash: string; hashVersion?: number | null };

export type TreeNode = {
  level: number;
  index: number;
  hash: string;
};

/**
 * Appends leaves to the frontier; returns the stored-level nodes they complete. On the append
 * path: the edge is grown as strings (LeanFrontier, no Buffer per digest) and written back once.
 */
export function growTree(frontier: Frontier, entries: LeafSource[]): TreeNode[] {
  const nodes: TreeNode[] = [];
  const keep = (level: number, index: number, h: Buffer) => void nodes.push({ level, index, hash: h.toString("hex") });
  const lean = LeanFrontier.from(frontier);
  for (const e of entries) {
    if (!HEX64.test(e.hash)) throw new Error("not a hex SHA-256 hash");
    lean.appendEntry(e.hash, e.hashVersion ?? 1, keep, STORED_LEVEL);
  }
  const grown = lean.toFrontier();
  frontier.size = grown.size;
  frontier.edge.splice(0, frontier.edge.length, ...grown.edge);
  return nodes;
}
const HEX64 = /^[0-9a-f]{64}$/;

export async function storeNodes(tx: Queryable, nodes: TreeNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 5000) await bulkInsert(tx, ledgerTreeNodes, nodes.slice(i, i + 5000));
}

/**
 * The frontier of the first `size` entries: the stored one when it matches, else recomputed by
 * reading the entries' hashes in seq order (a ledger from before the tree existed), storing the
 * nodes that are missing.
 */
export async function frontierAt(tx: Queryable, size: number, stored: string | null): Promise<Frontier> {
  if (stored) {
    const f = Frontier.parse(stored);
    if (f.size === size) return f;
  }
  const frontier = Frontier.empty();
  let after = 0;
  while (after < size) {
    const rows = await tx
      .select({ seq: ledgerEvents.seq, hash: ledgerEvents.hash, hashVersion: ledgerEvents.hashVersion })
      .from(ledgerEvents)
      .where(and(gt(ledgerEvents.seq, after), lte(ledgerEvents.seq, size)))
      .orderBy(asc(ledgerEvents.seq))
      .limit(20_000);
    if (rows.length === 0) break;
    const nodes = growTree(frontier, rows);
    if (nodes.length > 0) await tx.insert(ledgerTreeNodes).values(nodes).onConflictDoNothing();
    after = rows[rows.length - 1]?.seq ?? size;
  }
  return frontier;
}

/** The ledger's committed size and frontier, read together from its head row. */
export async function treeHead(db: Queryable): Promise<{ size: number; frontier: string | null }> {
  const [row] = await db.select({ seq: chainHeads.seq, frontier: chainHeads.frontier }).from(chainHeads).where(eq(chainHeads.chain, "ledger"));
  return { size: row?.seq ?? 0, frontier: row?.frontier ?? null };
}

export interface StoredRangeHasher extends RangeHasher {
  /** Loads, in two queries, everything the hashes of these ranges need. */
  prefetch(ranges: [number, number][]): Promise<void>;
}

/**
 * Subtree hashes of the stored tree, memoised for one proof or one package: stored nodes by
 * (level, index), anything below the stored level from the entries' hashes, a 64-leaf chunk at a
 * time. `prefetch` reads all a proof needs at once, so a proof costs two queries, not twenty.
 */
export function storedRangeHasher(db: Queryable, archived: Frontier[] = []): StoredRangeHasher {
  const memo = new Map<string, Promise<Buffer>>();
  // Entries moved to archive files (lib/partitions/archive.ts) are not here to hash, but the right
  // edge of the tree at the archive's boundary is: its perfect subtrees are exactly the ranges a
  // proof asks for to the left of that boundary.
  const stand = (f: Frontier) => {
    for (const [lo, hi, h] of frontierRanges(f)) memo.set(`${lo}:${hi}`, Promise.resolve(h));
  };
  archived.forEach(stand);
  let baseLoaded = false;
  const chunks = new Map<number, Promise<Buffer[]>>();
  const nodes = new Map<string, Buffer | null>();

  const loadChunks = (ids: number[]) => {
    const missing = ids.filter((c) => !chunks.has(c));
    if (missing.length === 0) return;
    const loading = (async () => {
      const rows = await db
        .select({ seq: ledgerEvents.seq, hash: ledgerEvents.hash, hashVersion: ledgerEvents.hashVersion })
        .from(ledgerEvents)
        .where(or(...missing.map((c) => and(gt(ledgerEvents.seq, c * CHUNK), lte(ledgerEvents.seq, (c + 1) * CHUNK)))))
        .orderBy(asc(ledgerEvents.seq));
      // By position: a chunk across an archive's boundary holds only its later entries.
      const byChunk = new Map<number, Buffer[]>(missing.map((c) => [c, []]));
      for (const r of rows) {
        const list = byChunk.get(Math.floor((r.seq - 1) / CHUNK));
        if (list) list[(r.seq - 1) % CHUNK] = entryLeafHash(r.hash, r.hashVersion);
      }
      return byChunk;
    })();
    for (const c of missing) chunks.set(c, loading.then((m) => m.get(c) ?? []));
  };
  const leavesOf = async (lo: number, hi: number): Promise<Buffer[]> => {
    const c = Math.floor(lo / CHUNK);
    loadChunks([c]);
    const leaves = (await chunks.get(c)) ?? [];
    const out = leaves.slice(lo - c * CHUNK, hi - c * CHUNK);
    let whole = out.length === hi - lo;
    for (let i = 0; whole && i < out.length; i += 1) whole = out[i] !== undefined;
    if (!whole) throw new Error(`ledger entries ${lo + 1}..${hi} are missing`);
    return out;
  };
  const loadNodes = async (keys: [number, number][]) => {
    const missing = keys.filter(([l, i]) => !nodes.has(`${l}/${i}`));
    if (missing.length === 0) return;
    const rows = await db
      .select()
      .from(ledgerTreeNodes)
      .where(or(...missing.map(([l, i]) => and(eq(ledgerTreeNodes.level, l), eq(ledgerTreeNodes.index, i)))));
    for (const [l, i] of missing) nodes.set(`${l}/${i}`, null);
    for (const r of rows) nodes.set(`${r.level}/${r.index}`, Buffer.from(r.hash, "hex"));
  };
  const perfect = (lo: number, n: number) => n > CHUNK && (n & (n - 1)) === 0 && lo % n === 0;

  const compute = async (lo: number, hi: number): Promise<Buffer> => {
    const n = hi - lo;
    if (n <= CHUNK && Math.floor(lo / CHUNK) === Math.floor((hi - 1) / CHUNK)) {
      // A range across an archive's boundary: its archived part is one of the boundary's subtrees.
      const leaves = await leavesOf(lo, hi).catch((error: unknown) => {
        if (n === 1) throw error;
        return null;
      });
      if (leaves) return rootOfLeafHashes(leaves);
    } else if (perfect(lo, n)) {
      const key: [number, number] = [Math.log2(n), lo / n];
      await loadNodes([key]);
      const stored = nodes.get(`${key[0]}/${key[1]}`);
      if (stored) return stored;
    }
    const k = splitPoint(n);
    const [left, right] = await Promise.all([hash(lo, lo + k), hash(lo + k, hi)]);
    return nodeHash(left, right);
  };
  const hash = ((lo: number, hi: number) => {
    const key = `${lo}:${hi}`;
    let p = memo.get(key);
    if (!p) {
      p = compute(lo, hi);
      memo.set(key, p);
    }
    return p;
  }) as StoredRangeHasher;

  hash.prefetch = async (ranges) => {
    if (!baseLoaded) {
      baseLoaded = true;
      const base = await verificationBase(db, "ledger");
      if (base.frontier.size > 0) stand(base.frontier);
    }
    const nodeKeys: [number, number][] = [];
    const chunkIds = new Set<number>();
    const plan = (lo: number, hi: number) => {
      if (memo.has(`${lo}:${hi}`)) return;
      const n = hi - lo;
      if (n <= CHUNK && Math.floor(lo / CHUNK) === Math.floor((hi - 1) / CHUNK)) return void chunkIds.add(Math.floor(lo / CHUNK));
      if (perfect(lo, n)) return void nodeKeys.push([Math.log2(n), lo / n]);
      const k = splitPoint(n);
      plan(lo, lo + k);
      plan(lo + k, hi);
    };
    for (const [lo, hi] of ranges) if (!memo.has(`${lo}:${hi}`)) plan(lo, hi);
    loadChunks([...chunkIds]);
    await Promise.all([loadNodes(nodeKeys), ...[...chunkIds].map((c) => chunks.get(c))]);
  };
  return hash;
}

/** The perfect subtrees a frontier holds, as [lo, hi, hash], left to right. */
export function frontierRanges(f: Frontier): [number, number, Buffer][] {
  const out: [number, number, Buffer][] = [];
  let lo = 0;
  let i = 0;
  for (let bit = 52; bit >= 0; bit -= 1) {
    const n = 2 ** bit;
    if (Math.floor(f.size / n) % 2 === 1) {
      const h = f.edge[i];
      if (h) out.push([lo, lo + n, h]);
      lo += n;
      i += 1;
    }
  }
  return out;
}

/** The ranges an audit path or consistency proof asks for, without hashing anything. */
async function rangesOf(run: (h: RangeHasher) => Promise<unknown>): Promise<[number, number][]> {
  const ranges: [number, number][] = [];
  await run(async (lo, hi) => {
    ranges.push([lo, hi]);
    return EMPTY;
  });
  return ranges;
}
const EMPTY = Buffer.alloc(32);

export async function rootAt(db: Queryable, size: number, hasher = storedRangeHasher(db)): Promise<Buffer> {
  if (size === 0) return EMPTY_ROOT;
  await hasher.prefetch([[0, size]]);
  return hasher(0, size);
}

export async function inclusionProof(db: Queryable, index: number, size: number, hasher = storedRangeHasher(db)) {
  await hasher.prefetch([...(await rangesOf((h) => inclusionPath(h, index, 0, size))), [index, index + 1]]);
  const [path, leaf] = await Promise.all([inclusionPath(hasher, index, 0, size), hasher(index, index + 1)]);
  return { leafIndex: index, treeSize: size, leafHash: leaf.toString("hex"), hashes: path.map((h) => h.toString("hex")) };
}

export async function consistencyProof(db: Queryable, from: number, to: number, hasher = storedRangeHasher(db)) {
  await hasher.prefetch(await rangesOf((h) => consistencyPath(h, from, to)));
  const path = await consistencyPath(hasher, from, to);
  return { from, to, hashes: path.map((h) => h.toString("hex")) };
}

/**
 * Recomputes the tree from the entries alone, in seq order, ignoring every stored node: the
 * roots at the sizes asked for and at the end. `custody rebuild` and `verify --against` use it.
 */
export async function recomputeRoots(
  db: Queryable,
  sizes: number[] = [],
  batchSize = 20_000,
  base: Frontier = Frontier.empty(),
): Promise<{ size: number; root: Buffer; roots: Map<number, Buffer> }> {
  const wanted = new Set(sizes);
  const roots = new Map<number, Buffer>();
  // From an archive's boundary when older entries were archived: its right edge stands for them.
  const frontier = new Frontier(base.size, [...base.edge]);
  if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root());
  let after = base.size;
  for (;;) {
    const rows = await db
      .select({ seq: ledgerEvents.seq, hash: ledgerEvents.hash, hashVersion: ledgerEvents.hashVersion })
      .from(ledgerEvents)
      .where(gt(ledgerEvents.seq, after))
      .orderBy(asc(ledgerEvents.seq))
      .limit(batchSize);
    for (const r of rows) {
      frontier.append(entryLeafHash(r.hash, r.hashVersion));
      if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root());
    }
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]?.seq ?? after;
  }
  return { size: frontier.size, root: frontier.root(), roots };
}
