import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { KeyObject } from "node:crypto";
import type { Queryable } from "@/db/client";
import { Frontier } from "./merkle";
import { verifyCheckpointNote } from "./signed-note";
import { asc } from "drizzle-orm";
import { ledgerCheckpoints } from "@/db/schema";
import { verificationBase } from "../partitions/base";
import { recomputeRoots, treeHead } from "./tree";
import { verifyLedgerFull, type FullVerification } from "./full-verify";

export interface TreeVerification {
  ok: boolean;
  size: number;
  root: string;
  checkpoints: number;
  problem: string | null;
}

/**
 * Recomputes the Merkle tree from the entries in seq order and compares it with the stored right
 * edge and every stored checkpoint. This proves the database agrees with itself; only a copy kept
 * elsewhere (verifyAgainstWitnessed) proves its owner did not rewrite it all. Given `full` (one
 * pass of verifyLedgerFull that `custody verify` shares with the chain and the witness check), it
 * reads nothing again.
 */
export async function verifyTree(db: Queryable, full?: FullVerification): Promise<TreeVerification & { archived: number }> {
  // After `custody archive`, from the right edge recorded at the archive boundary (archivedTree below).
  const from = full ? null : await verificationBase(db, "ledger");
  if (from && from.after > 0) return archivedTree(db, from);
  const { tree, stored } = full ?? (await verifyLedgerFull(db));
  const base = { size: tree.size, root: tree.root, checkpoints: stored.checkpoints.length, archived: 0 };
  if (tree.problem) return { ...base, ok: false, problem: tree.problem };
  for (const c of stored.checkpoints) {
    const mine = tree.roots.get(c.treeSize);
    if (!mine) return { ...base, ok: false, problem: `checkpoint ${c.treeSize} is beyond the ledger's ${tree.size} entries` };
    if (mine !== c.rootHash) return { ...base, ok: false, problem: `checkpoint ${c.treeSize} has root ${c.rootHash}, the entries give ${mine}` };
  }
  if (stored.frontier && stored.seq === tree.size && Frontier.parse(stored.frontier).root().toString("hex") !== tree.root) {
    return { ...base, ok: false, problem: "the stored right edge of the tree does not match the entries" };
  }
  return { ...base, ok: true, problem: null };
}

export interface WitnessedCheckpoint {
  file: string;
  treeSize: number;
  rootHash: string;
}

export interface WitnessComparison {
  ok: boolean;
  read: number;
  matched: number;
  /** Files that are not checkpoints signed by the trusted key: named, never silently skipped. */
  unreadable: { file: string; reason: string }[];
  divergence: { file: string; treeSize: number; witnessedRoot: string; databaseRoot: string | null; lastMatchingSize: number; message: string } | null;
}

/** Reads every file of a witness directory as a checkpoint signed by `publicKey`. */
export async function readWitnessed(dir: string, publicKey: KeyObject): Promise<{ checkpoints: WitnessedCheckpoint[]; unreadable: { file: string; reason: string }[] }> {
  const checkpoints: WitnessedCheckpoint[] = [];
  const unreadable: { file: string; reason: string }[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile() || entry.name.startsWith(".") || entry.name.endsWith(".tmp")) continue;
    const note = await readFile(path.join(dir, entry.name), "utf8");
    const v = verifyCheckpointNote(note, publicKey);
    if (!v.ok) unreadable.push({ file: entry.name, reason: v.reason });
    else checkpoints.push({ file: entry.name, treeSize: v.checkpoint.treeSize, rootHash: v.checkpoint.rootHash.toString("hex") });
  }
  checkpoints.sort((a, b) => a.treeSize - b.treeSize);
  return { checkpoints, unreadable };
}

/**
 * Compares the ledger in the database with checkpoints witnessed outside it: recomputes the root
 * at each witnessed size from the entries and names the first that differs, with the range of
 * entries that must have been rewritten (after the last size that still matches).
 */
export async function verifyAgainstWitnessed(db: Queryable, dir: string, publicKey: KeyObject, witnessed?: Awaited<ReturnType<typeof readWitnessed>>, full?: FullVerification): Promise<WitnessComparison> {
  const read = witnessed ?? (await readWitnessed(dir, publicKey));
  const { unreadable } = read;
  // Sizes inside the archived range are compared with the archive files' proofs, not here.
  const from = full ? null : await verificationBase(db, "ledger");
  const checkpoints = from && from.after > 0 ? read.checkpoints.filter((c) => c.treeSize >= from.frontier.size) : read.checkpoints;
  let size: number;
  let roots: Map<number, string>;
  if (from && from.after > 0) {
    const r = await recomputeRoots(db, checkpoints.map((c) => c.treeSize), 20_000, from.frontier);
    size = r.size;
    roots = new Map([...r.roots].map(([k, v]) => [k, v.toString("hex")]));
  } else {
    const { tree } = full ?? (await verifyLedgerFull(db, { sizes: checkpoints.map((c) => c.treeSize) }));
    size = tree.size;
    roots = tree.roots;
  }
  let lastMatchingSize = 0;
  let matched = 0;
  for (const c of checkpoints) {
    const mine = roots.get(c.treeSize) ?? null;
    if (mine !== c.rootHash) {
      const message =
        mine === null
          ? `the witnessed checkpoint ${c.file} covers ${c.treeSize} entries but the database holds only ${size}: entries were removed`
          : `the witnessed checkpoint ${c.file} (tree size ${c.treeSize}) has root ${c.rootHash}, the database's entries give ${mine}: entries ${lastMatchingSize + 1}..${c.treeSize} were rewritten after they were witnessed`;
      return { ok: false, read: checkpoints.length, matched, unreadable, divergence: { file: c.file, treeSize: c.treeSize, witnessedRoot: c.rootHash, databaseRoot: mine, lastMatchingSize, message } };
    }
    matched += 1;
    lastMatchingSize = c.treeSize;
  }
  return { ok: unreadable.length === 0, read: checkpoints.length, matched, unreadable, divergence: null };
}

/**
 * verifyTree after `custody archive`: from the right edge recorded at the archive boundary; checkpoints of
 * sizes within the archived range are checked against the archive files, not here.
 */
async function archivedTree(db: Queryable, from: Awaited<ReturnType<typeof verificationBase>>): Promise<TreeVerification & { archived: number }> {
  const stored = (await db.select().from(ledgerCheckpoints).orderBy(asc(ledgerCheckpoints.treeSize))).filter((c) => c.treeSize >= from.frontier.size);
  const { size, root, roots } = await recomputeRoots(
    db,
    stored.map((c) => c.treeSize),
    20_000,
    from.frontier,
  );
  const base = { size, root: root.toString("hex"), checkpoints: stored.length, archived: from.frontier.size };
  for (const c of stored) {
    const mine = roots.get(c.treeSize);
    if (!mine) return { ...base, ok: false, problem: `checkpoint ${c.treeSize} is beyond the ledger's ${size} entries` };
    if (mine.toString("hex") !== c.rootHash) return { ...base, ok: false, problem: `checkpoint ${c.treeSize} has root ${c.rootHash}, the entries give ${mine.toString("hex")}` };
  }
  const head = await treeHead(db);
  if (head.frontier && head.size === size && Frontier.parse(head.frontier).root().toString("hex") !== base.root) {
    return { ...base, ok: false, problem: "the stored right edge of the tree does not match the entries" };
  }
  return { ...base, ok: true, problem: null };
}
