import type { Queryable } from "@/db/client";
import { AppError } from "../errors";
import { verificationBase } from "../partitions/base";
import { latestCheckpoint, listCheckpoints } from "./checkpoints";
import { consistencyProof, inclusionProof, treeHead } from "./tree";

/** The query parameters of the checkpoint and proof endpoints, checked; the message names the parameter. */
function wholeNumber(name: string, raw: string | null, min: number): number | undefined {
  if (raw === null || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) throw new AppError("VALIDATION", `${name}: must be a whole number of at least ${min}`);
  return Number(raw);
}

async function committedSize(db: Queryable): Promise<number> {
  return (await treeHead(db)).size;
}

/**
 * `index` (0-based leaf index, the contract's name) or `seq` (the entry's sequence number, 1-based:
 * leaf index = seq - 1). `treeSize` defaults to the latest signed checkpoint's.
 */
/** A proof that needs entries of an archived month is a 404 naming why, not a server error. */
async function archivedAsNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (error) {
    if (error instanceof Error && /^ledger entries \d+\.\.\d+ are missing$/.test(error.message)) {
      throw new AppError("NOT_FOUND", `${error.message.replace("are missing", "are archived")}: restore their month with custody restore to prove this`);
    }
    throw error;
  }
}

export async function inclusionProofFor(db: Queryable, q: URLSearchParams) {
  const index = wholeNumber("index", q.get("index"), 0);
  const seq = wholeNumber("seq", q.get("seq"), 1);
  if (index !== undefined && seq !== undefined && index !== seq - 1) throw new AppError("VALIDATION", "index and seq name different entries (index = seq - 1); give one");
  const leafIndex = index ?? (seq === undefined ? undefined : seq - 1);
  if (leafIndex === undefined) throw new AppError("VALIDATION", "index: required (the entry's 0-based leaf index; or seq, its 1-based sequence number)");
  let treeSize = wholeNumber("treeSize", q.get("treeSize"), 1);
  if (treeSize === undefined) {
    const cp = await latestCheckpoint(db);
    if (!cp) throw new AppError("VALIDATION", "treeSize: required (no checkpoint has been signed yet)");
    treeSize = cp.treeSize;
  }
  const size = await committedSize(db);
  if (treeSize > size) throw new AppError("VALIDATION", `treeSize: ${treeSize} is beyond the ledger's ${size} entries`);
  if (leafIndex >= treeSize) throw new AppError("VALIDATION", `index: leaf ${leafIndex} is beyond the tree size ${treeSize} (indexes run from 0 to ${treeSize - 1})`);
  const base = await verificationBase(db, "ledger");
  if (leafIndex < base.after) throw new AppError("NOT_FOUND", `entry ${leafIndex + 1} was archived (entries 1..${base.after}): restore its month with custody restore to prove it`);
  return { ...(await archivedAsNotFound(inclusionProof(db, leafIndex, treeSize))), seq: leafIndex + 1, encoding: "hex" };
}

export async function consistencyProofFor(db: Queryable, q: URLSearchParams) {
  const from = wholeNumber("from", q.get("from"), 1);
  const to = wholeNumber("to", q.get("to"), 1);
  if (from === undefined) throw new AppError("VALIDATION", "from: required (the earlier tree size, at least 1)");
  if (to === undefined) throw new AppError("VALIDATION", "to: required (the later tree size)");
  if (from > to) throw new AppError("VALIDATION", `from: ${from} is larger than to (${to})`);
  const size = await committedSize(db);
  if (to > size) throw new AppError("VALIDATION", `to: ${to} is beyond the ledger's ${size} entries`);
  return { ...(await archivedAsNotFound(consistencyProof(db, from, to))), encoding: "hex" };
}

export async function latestCheckpointNote(db: Queryable): Promise<string> {
  const cp = await latestCheckpoint(db);
  if (!cp) throw new AppError("NOT_FOUND", "no checkpoint has been signed yet (the ledger is empty, or no signing key is configured)");
  return cp.note;
}

/** Oldest first from tree size `from`; `cursor` is the last tree size of the previous page. */
export async function checkpointPage(db: Queryable, q: URLSearchParams, limit: number) {
  const from = wholeNumber("from", q.get("from"), 0) ?? 0;
  const cursor = q.get("cursor");
  const after = cursor === null || cursor === "" ? undefined : wholeNumber("cursor", cursor, 0);
  const rows = await listCheckpoints(db, { from, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    checkpoints: page.map((c) => ({ treeSize: c.treeSize, rootHash: c.rootHash, signedAt: c.signedAt.toISOString(), trigger: c.trigger, keyId: c.keyId, note: c.note })),
    nextCursor: rows.length > limit ? String(page[page.length - 1]?.treeSize) : null,
  };
}
