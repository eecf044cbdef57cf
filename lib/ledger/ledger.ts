import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { bulkInsert, bulkInsertQuery } from "@/db/bulk";
import { queryRows, type Queryable } from "@/db/client";
import { chainHeads, ledgerEvents, type LedgerEvent } from "@/db/schema";
import { verificationBase } from "../partitions/base";
import { verifyLedgerFull, type VerifyResult } from "./full-verify";
import { GENESIS_HASH, lockHead, setHead, sha256Hex } from "./chain";
import { frontierAt, growTree, storeNodes } from "./tree";

export type LedgerStatus = "used" | "not-used" | "rejected";

export interface NewLedgerEntry {
  source: string;
  eventType: string;
  deliveryId: string;
  contentType: string | null;
  receivedAt: Date;
  body: string;
  status: LedgerStatus;
  reason: string | null;
  /** The authenticated sender when not a signed webhook: `token:<name>`, `cli`, `cli:demo` (covered by the hash from version 2). */
  principal?: string | null;
}

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

/** Locks the ledger head for the rest of the transaction; call before checking for duplicates. */
export const lockLedger = (tx: Queryable) => lockHead(tx, "ledger");

/** Which of these delivery ids of a source are already in the ledger. */
export async function existingDeliveries(tx: Queryable, source: string, deliveryIds: string[]): Promise<Set<string>> {
  if (deliveryIds.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < deliveryIds.length; i += 1000) {
    const rows = await tx
      .select({ deliveryId: ledgerEvents.deliveryId })
      .from(ledgerEvents)
      .where(and(eq(ledgerEvents.source, source), inArray(ledgerEvents.deliveryId, deliveryIds.slice(i, i + 1000))));
    for (const r of rows) found.add(r.deliveryId);
  }
  return found;
}

/** Which of these body hashes a source already has in the ledger (a replay under a new delivery id). */
export async function existingBodies(tx: Queryable, source: string, bodySha256s: string[]): Promise<Set<string>> {
  if (bodySha256s.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < bodySha256s.length; i += 1000) {
    const rows = await tx
      .select({ bodySha256: ledgerEvents.bodySha256 })
      .from(ledgerEvents)
      // The predicate repeats the partial index's, so the planner uses it (ledger_events_webhook_body_sha256_idx).
      .where(and(eq(ledgerEvents.source, source), sql`${ledgerEvents.source} in ('github', 'gitlab')`, inArray(ledgerEvents.bodySha256, bodySha256s.slice(i, i + 1000))));
    for (const r of rows) found.add(r.bodySha256);
  }
  return found;
}

/**
 * Appends entries after `head` (from lockLedger, in the same transaction), grows the Merkle tree's
 * right edge over them and moves the head.
 */
export async function appendToLedger(
  tx: Queryable,
  head: { seq: number; hash: string; frontier?: string | null },
  entries: NewLedgerEntry[],
): Promise<{ seq: number; hash: string }> {
  let { seq, hash } = head;
  const rows = entries.map((e) => {
    seq += 1;
    const bodySha256 = sha256Hex(e.body);
    const prevHash = hash;
    const principal = e.principal ?? null;
    hash = ledgerEntryHash(prevHash, { ...e, principal, hashVersion: LEDGER_HASH_VERSION, seq, bodySha256 });
    return { ...e, principal, hashVersion: LEDGER_HASH_VERSION, seq, bodySha256, prevHash, hash };
  });
  if (rows.length === 0) return { seq, hash };
  const frontier = await frontierAt(tx, head.seq, head.frontier ?? null);
  const nodes = growTree(frontier, rows);
  if (rows.length > 5000 || nodes.length > 1000) {
    // A large batch: one parameter per column (unnest), in statements of bounded size.
    for (let i = 0; i < rows.length; i += 5000) await bulkInsert(tx, ledgerEvents, rows.slice(i, i + 5000));
    await storeNodes(tx, nodes);
    await setHead(tx, "ledger", seq, hash, frontier.serialize());
  } else {
    // The entries, the subtrees they complete and the new head in one statement, one round trip:
    // the tree costs no round trip of its own, and an append one fewer than before it existed.
    const entries = bulkInsertQuery(ledgerEvents, rows) as SQL;
    const stored =
      nodes.length === 0
        ? sql``
        : sql`, stored as (insert into ledger_tree_nodes (level, index, hash) values ${sql.join(
            nodes.map((n) => sql`(${n.level}::integer, ${n.index}::bigint, ${n.hash})`),
            sql`, `,
          )})`;
    await tx.execute(
      sql`with entries as (${entries})${stored}
          update chain_heads set seq = ${seq}, hash = ${hash}, frontier = ${frontier.serialize()} where chain = 'ledger'`,
    );
  }
  return { seq, hash };
}

export type { VerifyResult } from "./full-verify";

/**
 * Recomputes the whole chain: each body's SHA-256, each link, no gaps, and the stored head. When
 * old months were archived (`custody archive`), from the archive the first remaining entry follows:
 * its recorded last hash stands for the archived entries (their files verify on their own).
 */
export async function verifyLedger(db: Queryable, batchSize = 2000): Promise<VerifyResult & { archived: number }> {
  const base = await verificationBase(db, "ledger");
  // The whole chain from entry 1: the one-pass verifier (lib/ledger/full-verify.ts), reading Postgres as a
  // binary COPY stream. After an archive, the row-by-row check below starts from the recorded boundary.
  if (base.after === 0) return { ...(await verifyLedgerFull(db)).chain, archived: 0 };
  let prevHash = base.hash;
  let expectedSeq = base.after + 1;
  let after = base.after;
  for (;;) {
    const batch: LedgerEvent[] = await db
      .select()
      .from(ledgerEvents)
      .where(gt(ledgerEvents.seq, after))
      .orderBy(asc(ledgerEvents.seq))
      .limit(batchSize);
    for (const e of batch) {
      const bad = (reason: string) => ({ ok: false, events: expectedSeq - 1, head: prevHash, firstBadSeq: e.seq, reason, archived: base.after });
      if (e.seq !== expectedSeq) return { ...bad(`sequence gap: expected ${expectedSeq}`), firstBadSeq: expectedSeq };
      if (sha256Hex(e.body) !== e.bodySha256) return bad("body does not match its SHA-256");
      if (e.prevHash !== prevHash) return bad("previous hash does not match the entry before it");
      if (ledgerEntryHash(prevHash, e) !== e.hash) return bad("entry hash does not match its fields");
      prevHash = e.hash;
      expectedSeq += 1;
    }
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]?.seq ?? after;
  }
  const [head] = await db.select().from(chainHeads).where(eq(chainHeads.chain, "ledger"));
  const events = expectedSeq - 1;
  if (!head || head.seq !== events || head.hash !== prevHash) {
    return { ok: false, events, head: prevHash, firstBadSeq: events + 1, reason: "ledger head does not match the last entry (entries missing?)", archived: base.after };
  }
  return { ok: true, events, head: prevHash, firstBadSeq: null, archived: base.after };
}

export async function ledgerHead(db: Queryable): Promise<{ seq: number; hash: string }> {
  const [row] = await queryRows<{ seq: string | number; hash: string }>(db, sql`select seq, hash from chain_heads where chain = 'ledger'`);
  return { seq: Number(row?.seq ?? 0), hash: row?.hash ?? GENESIS_HASH };
}
