import { sha256Hex } from "./hashing";

/**
 * The entry hash format, stored beside each entry (`hash_version`).
 *
 * - Version 1 (entries stored before migration 0015): hash = SHA-256(prevHash "\n" fields), the
 *   fields being every column but `principal` as canonical JSON, the body by its SHA-256. The
 *   entry's Merkle leaf is SHA-256(0x00 ‖ the 32 bytes of that hash).
 * - Version 2: `principal` joins the fields (a key always present, null when there is none), and
 *   hash = SHA-256(0x00 ‖ prevHash "\n" fields): the RFC 9162 leaf hash of the entry's chain text.
 *   The entry hash is its Merkle leaf, so the chain and the tree commit to who sent the entry, and
 *   the tree costs no digest of its own per entry (what the chain proves is not hashed again).
 *
 * The version needs no cover of its own: the two formats never give the same hash (a v2 text
 * always has the `principal` key and the 0x00 prefix, a v1 text neither), so flipping an entry's
 * version breaks its hash like any other edit.
 */
export const LEDGER_HASH_VERSION = 2;
export type LedgerHashVersion = 1 | 2;

type HashedFields = {
  seq: number;
  source: string;
  eventType: string;
  deliveryId: string;
  contentType: string | null;
  receivedAt: Date;
  bodySha256: string;
  status: string;
  reason: string | null;
  principal?: string | null;
  /** 1 when absent: what an entry (or an extract) from before the versions was. */
  hashVersion?: number | null;
};

/** The fields an entry's hash covers: everything but the body itself, which its SHA-256 stands for. */
export function ledgerHashFields(e: HashedFields): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    seq: e.seq,
    source: e.source,
    eventType: e.eventType,
    deliveryId: e.deliveryId,
    contentType: e.contentType,
    receivedAt: e.receivedAt.toISOString(),
    bodySha256: e.bodySha256,
    status: e.status,
    reason: e.reason,
  };
  if ((e.hashVersion ?? 1) >= 2) fields.principal = e.principal ?? null;
  return fields;
}

/** Entries of one request share their receipt time: format it once. */
let lastIso: { time: number; text: string } = { time: NaN, text: "" };
function isoOf(d: Date): string {
  const time = d.getTime();
  if (time !== lastIso.time) lastIso = { time, text: d.toISOString() };
  return lastIso.text;
}

/** Text JSON.stringify writes unchanged between quotes: printable ASCII but `"` and `\\`. */
const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (v: string) => (plain.test(v) ? `"${v}"` : JSON.stringify(v));
/**
 * The JSON text of a field with few distinct values (source, event type, status, content type,
 * principal), remembered: a map look-up is cheaper than writing it again, entry after entry.
 */
const few = new Map<string, string>();
const known = (v: string): string => {
  let text = few.get(v);
  if (text === undefined) {
    text = str(v);
    if (few.size < 4096 && v.length <= 256) few.set(v, text);
  }
  return text;
};
/** `,"key":value`, or nothing for undefined (canonicalJson leaves undefined out). */
const opt = (key: string, v: string | null | undefined, text = known) => (v === undefined ? "" : `,"${key}":${v === null ? "null" : text(v)}`);

/**
 * The text chainHash(prevHash, ledgerHashFields(e)) hashes, without building the object: the same
 * canonical JSON (keys sorted, undefined left out), written directly. Appends and full
 * verification hash every entry, so this is on their hot path; a property test holds it equal to
 * the generic form for both versions.
 */
export function ledgerEntryText(prevHash: string, e: HashedFields): string {
  const principal = (e.hashVersion ?? 1) >= 2 ? opt("principal", e.principal ?? null) : "";
  return (
    `${prevHash}\n{"bodySha256":${str(e.bodySha256)}${opt("contentType", e.contentType)},"deliveryId":${str(e.deliveryId)},"eventType":${known(e.eventType)}` +
    `${principal}${opt("reason", e.reason, str)},"receivedAt":"${isoOf(e.receivedAt)}","seq":${e.seq},"source":${known(e.source)},"status":${known(e.status)}}`
  );
}

/** The entry's hash in its version, hex: v1 chainHash(prevHash, ledgerHashFields(e)); v2 the same text behind a 0x00 byte. */
export function ledgerEntryHash(prevHash: string, e: HashedFields): string {
  const text = ledgerEntryText(prevHash, e);
  return sha256Hex((e.hashVersion ?? 1) >= 2 ? `\0${text}` : text);
}

