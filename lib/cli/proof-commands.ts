import { createPublicKey } from "node:crypto";
import { checkExtractedEntry, type ExtractedEntry } from "../ledger/entry-check";
import { checkConsistency, checkInclusion } from "../ledger/merkle";
import { instanceSigningKey } from "../signing/keys";
import type { Queryable } from "@/db/client";
import { verifyLedgerFull, type VerifyResult } from "../ledger/full-verify";
import { verifyLedgerFullParallel } from "../ledger/parallel-verify";
import { verifyLedger } from "../ledger/ledger";
import { verificationBase } from "../partitions/base";
import { readWitnessed, verifyAgainstWitnessed, verifyTree } from "../ledger/verify-tree";
import { CliError } from "./output";
import { readCheckpoint, readText, signerVerdict, trustedKeys } from "./trust";

type Values = Record<string, string | boolean | undefined>;
type Command = (args: string[], values: Values) => Promise<number>;
const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);

/** A hash as the API (hex) or a checkpoint (base64) writes it; null when it is neither. */
export function decodeHash(v: unknown): Buffer | null {
  if (typeof v !== "string") return null;
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(v)) return Buffer.from(v, "base64");
  return null;
}

function hashesOf(file: string, v: unknown): Buffer[] {
  if (!Array.isArray(v)) throw new CliError(`${file}: "hashes" must be a list of SHA-256 hashes`);
  return v.map((h, i) => {
    const b = decodeHash(h);
    if (!b) throw new CliError(`${file}: hashes[${i}] is not a SHA-256 hash (64 hex digits or base64)`);
    return b;
  });
}

const whole = (file: string, name: string, v: unknown): number => {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new CliError(`${file}: "${name}" must be a whole number`);
  return v;
};

/**
 * `verify-proof PROOF.json --checkpoint CP.txt [--old-checkpoint OLD.txt] [--entry ENTRY.json]`:
 * checks an inclusion or consistency proof offline against signed checkpoints.
 */
const verifyProof: Command = async ([file], values) => {
  const checkpointFile = str(values, "checkpoint");
  if (!file || !checkpointFile) {
    throw new CliError("usage: custody verify-proof PROOF.json --checkpoint CHECKPOINT.txt [--old-checkpoint OLD.txt] [--entry ENTRY.json] [--key PUBKEY.pem | --keys-url URL]", 2);
  }
  let proof: Record<string, unknown>;
  try {
    proof = JSON.parse(readText(file)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (!proof || typeof proof !== "object" || Array.isArray(proof)) throw new CliError(`${file} is not a proof object`);
  const keys = await trustedKeys(values);
  const checkpoint = readCheckpoint(checkpointFile, keys);

  if ("leafIndex" in proof) {
    const index = whole(file, "leafIndex", proof.leafIndex);
    const size = whole(file, "treeSize", proof.treeSize);
    const leaf = decodeHash(proof.leafHash);
    if (!leaf) throw new CliError(`${file}: "leafHash" is not a SHA-256 hash`);
    const path = hashesOf(file, proof.hashes);
    if (size !== checkpoint.treeSize) throw new CliError(`${file} proves against a tree of ${size} entries, ${checkpointFile} signs ${checkpoint.treeSize}: fetch the proof with treeSize=${checkpoint.treeSize}`);
    const entryFile = str(values, "entry");
    if (entryFile) {
      let entry: ExtractedEntry;
      try {
        entry = JSON.parse(readText(entryFile)) as ExtractedEntry;
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`${entryFile} is not JSON: ${(error as Error).message}`);
      }
      const e = checkExtractedEntry(entry);
      if (!e.ok) throw new CliError(`${entryFile}: ${e.reason}`);
      if (entry.seq !== index + 1) throw new CliError(`${entryFile} is entry ${entry.seq}, the proof is for leaf ${index} (entry ${index + 1})`);
      if (!e.leafHash.equals(leaf)) throw new CliError(`${entryFile} does not hash to the proof's leaf`);
    }
    const problem = checkInclusion(index, size, leaf, path, checkpoint.rootHash);
    if (problem) {
      process.stdout.write(`inclusion proof FAILED: ${problem}\n`);
      return 1;
    }
    process.stdout.write(`inclusion proof verified: entry ${index + 1} (leaf ${index}) is in ${checkpoint.origin}'s log of ${size} entries${entryFile ? `, and ${entryFile} is that entry` : ""}\n`);
    return signerVerdict(keys, values);
  }

  if ("from" in proof && "to" in proof) {
    const oldFile = str(values, "old-checkpoint");
    if (!oldFile) throw new CliError("a consistency proof needs --old-checkpoint OLD.txt (the earlier checkpoint) and --checkpoint NEW.txt", 2);
    const old = readCheckpoint(oldFile, keys);
    const from = whole(file, "from", proof.from);
    const to = whole(file, "to", proof.to);
    const path = hashesOf(file, proof.hashes);
    if (from !== old.treeSize || to !== checkpoint.treeSize) {
      throw new CliError(`${file} goes from ${from} to ${to} entries, the checkpoints sign ${old.treeSize} and ${checkpoint.treeSize}`);
    }
    if (old.origin !== checkpoint.origin) throw new CliError(`the checkpoints are of different logs (${old.origin}, ${checkpoint.origin})`);
    const problem = checkConsistency(from, to, path, old.rootHash, checkpoint.rootHash);
    if (problem) {
      process.stdout.write(`consistency proof FAILED: ${problem}: the log was rewritten between ${from} and ${to} entries, or the proof is wrong\n`);
      return 1;
    }
    process.stdout.write(`consistency proof verified: the log of ${to} entries extends the log of ${from} (${checkpoint.origin}); nothing before entry ${from + 1} was rewritten\n`);
    return signerVerdict(keys, values);
  }
  throw new CliError(`${file} is neither an inclusion proof ({ leafIndex, treeSize, leafHash, hashes }) nor a consistency proof ({ from, to, hashes })`);
};

/**
 * `verify [--against DIR]`: the hash chains and the Merkle tree recomputed from the entries in one
 * pass (lib/ledger/full-verify.ts: the same read gives the chain, the tree, the stored checkpoints'
 * roots and the witnessed ones'); with --against, compared with checkpoints witnessed outside the
 * database. The witness directory is read and its signatures checked before the database is.
 */
export async function verifyLedgerAndMerkle(values: Values, db: Queryable): Promise<{ ledger: VerifyResult & { archived: number }; merkle: { ok: boolean; lines: string[] } }> {
  const dir = str(values, "against");
  const keys = dir ? await trustedKeys(values) : null;
  const instance = dir && !keys ? instanceSigningKey() : null;
  if (dir && !keys && !instance) throw new CliError("--against needs the key that signed the checkpoints: --key PUBKEY.pem or --keys-url URL", 2);
  const key = dir ? (keys?.[0] ?? createPublicKey(instance?.publicKeyPem ?? "")) : null;
  let witnessed: Awaited<ReturnType<typeof readWitnessed>> | null = null;
  if (dir && key) {
    try {
      witnessed = await readWitnessed(dir, key);
    } catch (error) {
      throw new CliError(`cannot read the witness directory ${dir}: ${(error as Error).message}`);
    }
  }
  // One pass over the whole ledger; after `custody archive`, the checks from the archive boundary instead.
  // CUSTODY_VERIFY_THREADS=2: the same pass on two worker threads (lib/ledger/parallel-verify.ts; docs/developers.md).
  const archivedBefore = (await verificationBase(db, "ledger")).after;
  const full = archivedBefore === 0 ? await (process.env.CUSTODY_VERIFY_THREADS === "2" ? verifyLedgerFullParallel : verifyLedgerFull)(db, { sizes: witnessed?.checkpoints.map((c) => c.treeSize) ?? [] }) : undefined;
  const ledger = full ? { ...full.chain, archived: 0 } : await verifyLedger(db);
  const lines: string[] = [];
  const tree = await verifyTree(db, full);
  lines.push(tree.ok ? `merkle tree ok: ${tree.size} entries, root ${tree.root}, ${tree.checkpoints} stored checkpoints agree` : `merkle tree BROKEN: ${tree.problem ?? ""}`);
  let ok = tree.ok;
  if (dir && key && witnessed) {
    const r = await verifyAgainstWitnessed(db, dir, key, witnessed, full);
    for (const u of r.unreadable) lines.push(`witness file ${u.file} ignored: ${u.reason}`);
    if (r.divergence) lines.push(`DIVERGENCE from the witnessed checkpoints: ${r.divergence.message}`);
    else if (r.read === 0) lines.push(`no witnessed checkpoint signed by the key in ${dir}`);
    else lines.push(`witnessed checkpoints ok: ${r.matched} of ${r.read} in ${dir} match the database`);
    ok = ok && r.ok && r.read > 0;
  }
  return { ledger, merkle: { ok, lines } };
}

export const proofCommands: Record<string, Command> = { "verify-proof": verifyProof };

