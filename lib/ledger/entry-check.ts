import { sha256Hex } from "./chain";
import { ledgerEntryHash } from "./ledger";
import { entryLeafHash } from "./tree";

/** A ledger entry as an evidence package's ledger-extract.jsonl carries it. */
export interface ExtractedEntry {
  seq: number;
  source: string;
  eventType: string;
  deliveryId: string;
  contentType: string | null;
  receivedAt: string;
  status: string;
  reason: string | null;
  /** Covered by the hash from hash version 2; absent in packages made before it. */
  principal?: string | null;
  /** The entry hash format (lib/ledger/ledger.ts); 1 when absent. */
  hashVersion?: number;
  bodySha256: string;
  prevHash: string;
  hash: string;
  body?: string;
}

/**
 * Recomputes an extracted entry's hash from its fields (and its body's SHA-256 when the body is
 * there): what the entry must be for its leaf to be the one an inclusion proof proves.
 */
export function checkExtractedEntry(e: ExtractedEntry): { ok: true; leafHash: Buffer } | { ok: false; reason: string } {
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) return { ok: false, reason: "seq is not a positive whole number" };
  for (const k of ["source", "eventType", "deliveryId", "receivedAt", "status", "bodySha256", "prevHash", "hash"] as const) {
    if (typeof e[k] !== "string") return { ok: false, reason: `${k} is missing` };
  }
  if (!("reason" in e)) return { ok: false, reason: "reason is missing (the entry's hash covers it)" };
  const version = e.hashVersion ?? 1;
  if (version !== 1 && version !== 2) return { ok: false, reason: `hash version ${String(e.hashVersion)} is not one this verifier knows (1 or 2)` };
  if (version === 2 && !("principal" in e)) return { ok: false, reason: "principal is missing (a version 2 entry's hash covers it)" };
  if (e.body !== undefined && sha256Hex(e.body) !== e.bodySha256) return { ok: false, reason: "the body does not match its SHA-256" };
  const receivedAt = new Date(e.receivedAt);
  if (Number.isNaN(receivedAt.getTime())) return { ok: false, reason: "receivedAt is not a time" };
  const hash = ledgerEntryHash(e.prevHash, { ...e, receivedAt });
  if (hash !== e.hash) return { ok: false, reason: "the entry's hash does not match its fields" };
  return { ok: true, leafHash: entryLeafHash(e.hash, version) };
}
