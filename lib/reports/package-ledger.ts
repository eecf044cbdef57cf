import { createPublicKey } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { checkpointOrigin, signCheckpointAt } from "../ledger/checkpoints";
import { checkpointText, signNote } from "../ledger/signed-note";
import type { ExtractedEntry } from "../ledger/entry-check";
import { consistencyProof, inclusionProof, storedRangeHasher } from "../ledger/tree";
import type { SigningKey } from "../signing/keys";
import { extractedEntry, type LedgerSqlRow } from "./ledger-extract";
import type { ChangeRow } from "./population";

/** What the Merkle files need of a report: the tree size it saw and its sampled changes. */
export interface LedgerProofSubject {
  ledgerHead: { seq: number };
  sample: { changes: readonly { change: Pick<ChangeRow, "changeId" | "commitSha" | "imageDigest"> }[] };
}

/** What the manifest says of the package's checkpoint (the manifest is signed, so this is too). */
export interface PackageCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
}

export interface LedgerProofLine {
  changeIds: string[];
  entry: ExtractedEntry;
  proof: { leafIndex: number; treeSize: number; leafHash: string; hashes: string[] };
}

export interface ConsistencyLine {
  from: number;
  to: number;
  fromRootHash: string;
  hashes: string[];
}

/** At most this many ledger entries per sampled change, the oldest first. */
export const entriesPerChange = 50;

/**
 * The ledger entries behind each sampled change: every entry up to the package's tree size (late
 * evidence included) whose body names the change's commit SHA or image digest (its commit, pull
 * request, reviews, pipeline run, build, deployments and attestations do).
 */
async function sampledEntries(db: Queryable, model: LedgerProofSubject, treeSize: number): Promise<Map<number, { entry: ExtractedEntry; changeIds: Set<string> }>> {
  const needles = new Map<string, Set<string>>();
  for (const c of model.sample.changes) {
    for (const id of [c.change.commitSha, c.change.imageDigest]) {
      if (id && id.length >= 12) needles.set(id, (needles.get(id) ?? new Set()).add(c.change.changeId));
    }
  }
  const out = new Map<number, { entry: ExtractedEntry; changeIds: Set<string> }>();
  if (needles.size === 0) return out;
  const perChange = new Map<string, number>();
  const matches: SQL[] = [...needles.keys()].map((n) => sql`strpos(body, ${n}) > 0`);
  const rows = await queryRows<LedgerSqlRow>(
    db,
    sql`select seq, source, event_type, delivery_id, content_type, received_at, body, body_sha256, prev_hash, hash, status, reason, principal, hash_version from ledger_events
        where seq <= ${treeSize} and (${sql.join(matches, sql` or `)}) order by seq limit ${entriesPerChange * model.sample.changes.length}`,
  );
  for (const r of rows) {
    const owners = new Set<string>();
    for (const [needle, ids] of needles) if (r.body.includes(needle)) for (const id of ids) if ((perChange.get(id) ?? 0) < entriesPerChange) owners.add(id);
    if (owners.size === 0) continue;
    for (const id of owners) perChange.set(id, (perChange.get(id) ?? 0) + 1);
    const seq = Number(r.seq);
    out.set(seq, {
      changeIds: owners,
      entry: extractedEntry(r),
    });
  }
  return out;
}

/**
 * Checkpoints an earlier package may carry, so the next one can prove it extends them: those signed
 * for a package, those exported packages recorded in the audit log, and the 50 latest.
 */
async function earlierPackageSizes(db: Queryable, below: number): Promise<{ size: number; root: string }[]> {
  const rows = await queryRows<{ tree_size: string | number; root_hash: string }>(
    db,
    sql`(select c.tree_size, c.root_hash from ledger_checkpoints c
         where c.tree_size < ${below} and (c.trigger = 'package' or c.tree_size in (
           select (details->>'checkpointTreeSize')::bigint from audit_log
           where action in ('report.export', 'report.export.completed') and details ? 'checkpointTreeSize'))
         order by c.tree_size desc limit 200)
        union
        (select tree_size, root_hash from ledger_checkpoints where tree_size < ${below} order by tree_size desc limit 50)
        order by tree_size`,
  );
  return rows.map((r) => ({ size: Number(r.tree_size), root: r.root_hash }));
}

/**
 * The package's Merkle evidence: checkpoint.txt (a checkpoint of the ledger as the report saw it,
 * signed now), ledger-proofs.jsonl (each sampled change's entries with inclusion proofs against
 * it) and consistency.json (proofs that it extends the checkpoints of earlier packages).
 */
export async function packageLedgerFiles(db: Queryable, model: LedgerProofSubject, key: SigningKey): Promise<{ checkpoint: PackageCheckpoint | null; files: { path: string; data: Buffer; rows?: number }[] }> {
  const size = model.ledgerHead.seq;
  if (size === 0) return { checkpoint: null, files: [] };
  // Stored (and witnessed) once per size; the package's copy is signed with the package's key, which
  // is the same note unless the instance key changed since a checkpoint of this size was signed.
  const stored = await signCheckpointAt(db, size, "package", key);
  const origin = checkpointOrigin();
  const note = signNote(checkpointText({ origin, treeSize: size, rootHash: Buffer.from(stored.rootHash, "hex") }), origin, key.privateKey, createPublicKey(key.privateKey));
  const cp = { treeSize: size, rootHash: stored.rootHash, note };
  const hasher = storedRangeHasher(db);
  const lines: string[] = [];
  for (const [seq, { entry, changeIds }] of await sampledEntries(db, model, size)) {
    const { leafIndex, treeSize, leafHash, hashes } = await inclusionProof(db, seq - 1, size, hasher);
    const line: LedgerProofLine = { changeIds: [...changeIds].sort(), entry, proof: { leafIndex, treeSize, leafHash, hashes } };
    lines.push(`${JSON.stringify(line)}\n`);
  }
  const consistency: ConsistencyLine[] = [];
  for (const earlier of await earlierPackageSizes(db, size)) {
    const p = await consistencyProof(db, earlier.size, size, hasher);
    consistency.push({ from: p.from, to: p.to, fromRootHash: earlier.root, hashes: p.hashes });
  }
  return {
    checkpoint: { origin, treeSize: cp.treeSize, rootHash: cp.rootHash },
    files: [
      { path: "checkpoint.txt", data: Buffer.from(cp.note) },
      { path: "ledger-proofs.jsonl", data: Buffer.from(lines.join("")), rows: lines.length },
      { path: "consistency.json", data: Buffer.from(`${JSON.stringify({ to: size, proofs: consistency }, null, 2)}\n`), rows: consistency.length },
    ],
  };
}
