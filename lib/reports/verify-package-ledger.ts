import type { KeyObject } from "node:crypto";
import { checkExtractedEntry } from "../ledger/entry-check";
import { checkConsistency, checkInclusion } from "../ledger/merkle";
import { verifyCheckpointNote, type Checkpoint } from "../ledger/signed-note";
import type { Manifest } from "./package";
import type { ConsistencyLine, LedgerProofLine } from "./package-ledger";

/** Files verifyPackage keeps in memory for these checks (besides the manifest and its signature). */
export const ledgerProofFiles = ["checkpoint.txt", "ledger-proofs.jsonl", "consistency.json"] as const;

export interface LedgerProofVerification {
  ok: boolean;
  checkpoint: { origin: string; treeSize: number; rootHash: string } | null;
  entries: number;
  changes: number;
  /** Each entry or file that failed, with why; empty when ok. */
  problems: string[];
}

const hex = (s: unknown): Buffer | null => (typeof s === "string" && /^[0-9a-f]{64}$/.test(s) ? Buffer.from(s, "hex") : null);

/**
 * Checks the package's checkpoint (signed by `key`, and the one the signed manifest names) and every
 * sampled entry: its hash recomputed from its fields, its leaf proven in the checkpoint's tree.
 */
export function verifyLedgerProofs(kept: Map<string, Buffer>, manifest: Manifest, key: KeyObject | null): LedgerProofVerification {
  const problems: string[] = [];
  const expected = manifest.checkpoint ?? null;
  const note = kept.get("checkpoint.txt");
  if (!expected) {
    if (note) problems.push("checkpoint.txt is not named in the manifest");
    return { ok: problems.length === 0 && manifest.ledgerHead?.seq === 0, checkpoint: null, entries: 0, changes: 0, problems: manifest.ledgerHead?.seq === 0 ? problems : [...problems, "the package carries no checkpoint (made by a Custody without Merkle proofs)"] };
  }
  if (!note) return { ok: false, checkpoint: expected, entries: 0, changes: 0, problems: ["checkpoint.txt is missing"] };
  const cp = checkpointOf(note.toString("utf8"), key, problems);
  if (cp && (cp.treeSize !== expected.treeSize || cp.rootHash.toString("hex") !== expected.rootHash || cp.origin !== expected.origin)) {
    problems.push("checkpoint.txt is not the checkpoint the manifest names");
  }
  let entries = 0;
  const changes = new Set<string>();
  const lines = (kept.get("ledger-proofs.jsonl")?.toString("utf8") ?? "").split("\n").filter((l) => l.length > 0);
  for (const [i, text] of lines.entries()) {
    let line: LedgerProofLine;
    try {
      line = JSON.parse(text) as LedgerProofLine;
    } catch {
      problems.push(`ledger-proofs.jsonl line ${i + 1} is not JSON`);
      continue;
    }
    const seq = line.entry?.seq;
    const where = `ledger entry ${seq ?? `on line ${i + 1}`}`;
    const e = line.entry ? checkExtractedEntry(line.entry) : ({ ok: false, reason: "no entry" } as const);
    if (!e.ok) {
      problems.push(`${where}: ${e.reason}`);
      continue;
    }
    const leaf = hex(line.proof?.leafHash);
    const path = Array.isArray(line.proof?.hashes) ? line.proof.hashes.map(hex) : [null];
    if (!leaf || path.some((p) => p === null)) {
      problems.push(`${where}: the proof's hashes are not SHA-256 hex`);
      continue;
    }
    if (!leaf.equals(e.leafHash)) {
      problems.push(`${where}: the proof is for another leaf`);
      continue;
    }
    if (line.proof.leafIndex !== seq - 1 || line.proof.treeSize !== expected.treeSize) {
      problems.push(`${where}: the proof is for leaf ${line.proof.leafIndex} of ${line.proof.treeSize}, not leaf ${seq - 1} of ${expected.treeSize}`);
      continue;
    }
    const problem = checkInclusion(seq - 1, expected.treeSize, leaf, path as Buffer[], Buffer.from(expected.rootHash, "hex"));
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    entries += 1;
    for (const id of line.changeIds ?? []) changes.add(id);
  }
  return { ok: problems.length === 0 && cp !== null, checkpoint: expected, entries, changes: changes.size, problems };
}

function checkpointOf(note: string, key: KeyObject | null, problems: string[]): Checkpoint | null {
  if (!key) {
    problems.push("no key to check checkpoint.txt with");
    return null;
  }
  const v = verifyCheckpointNote(note, key);
  if (!v.ok) {
    problems.push(`checkpoint.txt: ${v.reason}`);
    return null;
  }
  return v.checkpoint;
}

/**
 * `--since OLD.zip`: the old package's checkpoint, signed by the same key, and a consistency proof in
 * the new package from its size to the new checkpoint: the log only grew between the two audits.
 */
export function verifySince(newKept: Map<string, Buffer>, newManifest: Manifest, oldKept: Map<string, Buffer>, key: KeyObject): { ok: boolean; message: string } {
  const oldNote = oldKept.get("checkpoint.txt");
  if (!oldNote) return { ok: false, message: "the old package carries no checkpoint.txt" };
  const old = verifyCheckpointNote(oldNote.toString("utf8"), key);
  if (!old.ok) return { ok: false, message: `the old package's checkpoint.txt: ${old.reason}` };
  const now = newManifest.checkpoint;
  if (!now) return { ok: false, message: "the new package carries no checkpoint" };
  const from = old.checkpoint.treeSize;
  const oldRoot = old.checkpoint.rootHash;
  const newRoot = Buffer.from(now.rootHash, "hex");
  if (old.checkpoint.origin !== now.origin) return { ok: false, message: `the packages come from different logs (${old.checkpoint.origin}, ${now.origin})` };
  if (from > now.treeSize) return { ok: false, message: `the old package's log (${from} entries) is larger than the new one's (${now.treeSize}): history was cut` };
  if (from === now.treeSize) {
    return oldRoot.equals(newRoot) ? { ok: true, message: `both packages sign the same log of ${from} entries` } : { ok: false, message: `both packages sign ${from} entries with different roots: history was rewritten` };
  }
  let proofs: ConsistencyLine[] = [];
  try {
    proofs = (JSON.parse(newKept.get("consistency.json")?.toString("utf8") ?? "{}") as { proofs?: ConsistencyLine[] }).proofs ?? [];
  } catch {
    return { ok: false, message: "consistency.json is not JSON" };
  }
  const proof = proofs.find((p) => p.from === from && p.to === now.treeSize);
  if (!proof) {
    return {
      ok: false,
      message: `the new package carries no consistency proof from ${from} entries: fetch GET /api/v1/ledger/proof/consistency?from=${from}&to=${now.treeSize} and check it with custody verify-proof --old-checkpoint --checkpoint`,
    };
  }
  const path = (proof.hashes ?? []).map(hex);
  if (path.some((p) => p === null)) return { ok: false, message: "consistency.json: a hash is not SHA-256 hex" };
  const problem = checkConsistency(from, now.treeSize, path as Buffer[], oldRoot, newRoot);
  if (problem) return { ok: false, message: `consistency proof FAILED (${problem}): the log was rewritten between the two packages` };
  return { ok: true, message: `the log of ${now.treeSize} entries extends the old package's ${from}: nothing the old package covered was rewritten` };
}
