import { asc, eq, gt, sql, type SQL } from "drizzle-orm";
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

export { LEDGER_HASH_VERSION, ledgerHashFields, ledgerEntryText, ledgerEntryHash, type LedgerHashVersion } from "./entry-hash";
import { LEDGER_HASH_VERSION, ledgerEntryHash } from "./entry-hash";

/** Locks the ledger head for the rest of the transaction; call before checking for duplicates. */
export const lockLedger = (tx: Queryable) => lockHead(tx, "ledger");

/**
 * Which of these delivery ids of a source are already in the ledger. The ids travel as one array
 * parameter (`= any($2)`), not one parameter each: a 500-event batch built a 500-parameter `IN`
 * list through the query builder, which cost more in JavaScript than the probe in Postgres.
 */
export async function existingDeliveries(tx: Queryable, source: string, deliveryIds: string[]): Promise<Set<string>> {
  if (deliveryIds.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < deliveryIds.length; i += 1000) {
    const rows = await queryRows<{ delivery_id: string }>(
      tx,
      sql`select delivery_id from ledger_deliveries where source = ${source} and delivery_id = any(${sql.param(deliveryIds.slice(i, i + 1000))}::text[])`,
    );
    for (const r of rows) found.add(r.delivery_id);
  }
  return found;
}

/** Which of these body hashes a source already has in the ledger (a replay under a new delivery id). */
export async function existingBodies(tx: Queryable, source: string, bodySha256s: string[]): Promise<Set<string>> {
  if (bodySha256s.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < bodySha256s.length; i += 1000) {
    // ledger_webhook_bodies holds the webhook sources' body hashes (migration 0026), one probe whatever the months.
    const rows = await queryRows<{ body_sha256: string }>(
      tx,
      sql`select body_sha256 from ledger_webhook_bodies where source = ${source} and body_sha256 = any(${sql.param(bodySha256s.slice(i, i + 1000))}::text[])`,
    );
    for (const r of rows) found.add(r.body_sha256);
  }
  return found;
}

/** The entries as rows chained after `head`: each one's seq, body SHA-256 and hashes. */
function chainRows(head: { seq: number; hash: string }, entries: NewLedgerEntry[]) {
  let { seq, hash } = head;
  const rows = entries.map((e) => {
    seq += 1;
    const bodySha256 = sha256Hex(e.body);
    const prevHash = hash;
    const principal = e.principal ?? null;
    hash = ledgerEntryHash(prevHash, { ...e, principal, hashVersion: LEDGER_HASH_VERSION, seq, bodySha256 });
    return { ...e, principal, hashVersion: LEDGER_HASH_VERSION, seq, bodySha256, prevHash, hash };
  });
  return { rows, seq, hash };
}

/** The ledger's head as committed, read without a lock (for appendAtHead). */
export async function readLedgerHead(db: Queryable): Promise<LedgerHeadState> {
  const [row] = await queryRows<{ seq: string | number; hash: string; frontier: string | null }>(db, sql`select seq, hash, frontier from chain_heads where chain = 'ledger'`);
  if (!row) throw new Error("chain head ledger is missing: run the migrations");
  return { seq: Number(row.seq), hash: row.hash, frontier: row.frontier };
}

export interface LedgerHeadState {
  seq: number;
  hash: string;
  frontier: string | null;
}

/** At most this many entries in one appendAtHead (its one statement: no bulk path). */
export const AT_HEAD_MAX = 500;

/**
 * Appends entries of one source in a single statement run on its own (its own transaction,
 * committed when it returns: one round trip instead of begin, lock, duplicate check, append,
 * commit), on two conditions checked inside it: the head is still `head` (seq and hash; the
 * statement's update of the head row waits for any appender holding it, then sees the head it
 * left), and none of the entries' delivery ids is stored for `source` yet. Either failing, nothing
 * is written: `appended` is null and `seen` holds the delivery ids already stored (empty when only
 * the head had moved); read the head again and retry, or append under lockLedger. Every appender
 * still serialises on the head row, so the chain stays one gapless sequence.
 */
export async function appendAtHead(
  db: Queryable,
  head: LedgerHeadState,
  source: string,
  entries: NewLedgerEntry[],
): Promise<{ appended: LedgerHeadState | null; seen: Set<string> }> {
  if (entries.length === 0) return { appended: head, seen: new Set() };
  if (entries.length > AT_HEAD_MAX) throw new Error(`appendAtHead takes at most ${AT_HEAD_MAX} entries`);
  if (entries.some((e) => e.source !== source)) throw new Error("appendAtHead: every entry must be of the one source");
  const { rows, seq, hash } = chainRows(head, entries);
  const frontier = await frontierAt(db, head.seq, head.frontier);
  const nodes = growTree(frontier, rows);
  const next = { seq, hash, frontier: frontier.serialize() };
  const ids = [...new Set(entries.map((e) => e.deliveryId))];
  const insert = bulkInsertQuery(ledgerEvents, rows, sql`where exists (select 1 from moved)`) as SQL;
  const stored =
    nodes.length === 0
      ? sql``
      : sql`, stored as (insert into ledger_tree_nodes (level, index, hash) select v.level, v.index, v.hash from (values ${sql.join(
          nodes.map((n) => sql`(${n.level}::integer, ${n.index}::bigint, ${n.hash})`),
          sql`, `,
        )}) as v(level, index, hash) where exists (select 1 from moved))`;
  const [result] = await queryRows<{ moved: number; seen: string[] | null }>(
    db,
    sql`with seen as (select delivery_id from ledger_deliveries where source = ${source} and delivery_id = any(${sql.param(ids)}::text[])),
        moved as (update chain_heads set seq = ${next.seq}, hash = ${next.hash}, frontier = ${next.frontier}
                  where chain = 'ledger' and seq = ${head.seq} and hash = ${head.hash} and not exists (select 1 from seen)
                  returning 1),
        entries as (${insert})${stored}
        select (select count(*) from moved)::int as moved, (select array_agg(delivery_id) from seen) as seen`,
  );
  const seen = new Set(result?.seen ?? []);
  return { appended: Number(result?.moved ?? 0) === 1 ? next : null, seen };
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
  const { rows, seq, hash } = chainRows(head, entries);
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
