import { sql } from "drizzle-orm";
import { bigint, index, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * The ledger: every accepted request, verbatim, hash-chained. Append-only: a trigger in the
 * migrations refuses UPDATE, DELETE and TRUNCATE, so evidence cannot be rewritten after the fact.
 * Partitioned by month of `received_at` (migration 0020, lib/partitions.ts): the primary key holds
 * the partition key, so a delivery id's uniqueness, which a unique index could not keep across the
 * partitions, is kept by ledger_deliveries (migration 0026, filled by a statement trigger).
 * hash = sha256(prevHash, newline, canonical JSON of the fields, body by its SHA-256); `principal` from hash version 2 (lib/ledger/ledger.ts).
 */
export const ledgerEvents = pgTable(
  "ledger_events",
  {
    seq: bigint({ mode: "number" }).notNull(),
    source: text().notNull(),
    eventType: text().notNull(),
    deliveryId: text().notNull(),
    contentType: text(),
    receivedAt: tstz().notNull(),
    body: text().notNull(),
    bodySha256: text().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    /** `used`, `not-used` (understood but irrelevant or unknown type) or `rejected` (parser refused it). */
    status: text().notNull(),
    reason: text(),
    /** Who sent it through an authenticated channel other than a signed webhook: `token:<name>`, `cli`, `demo`. */
    principal: text(),
    /** The entry hash format (lib/ledger/ledger.ts): 1 for entries stored before it covered `principal`, 2 since. */
    hashVersion: smallint().notNull().default(1),
  },
  (t) => [
    primaryKey({ name: "ledger_events_pkey", columns: [t.seq, t.receivedAt] }),
    index("ledger_events_source_delivery_id_idx").on(t.source, t.deliveryId),
    index("ledger_events_received_at_idx").on(t.receivedAt),
    // A replayed webhook body under a new delivery id is found by its hash (webhook sources only,
    // so batches of events do not pay for a second index).
    index("ledger_events_webhook_body_sha256_idx").on(t.source, t.bodySha256).where(sql`source in ('github', 'gitlab')`),
  ],
);

/**
 * Every delivery id the ledger holds, by source (migration 0026): the uniqueness the partitioned
 * ledger could not keep in a unique index, kept in the database again for every writer (a
 * statement trigger on ledger_events inserts the keys of each statement's rows), and what the
 * duplicate checks probe instead of every monthly partition. Archived months keep their keys, so a
 * redelivery of an archived delivery is still a duplicate.
 */
export const ledgerDeliveries = pgTable(
  "ledger_deliveries",
  {
    source: text().notNull(),
    deliveryId: text().notNull(),
    seq: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "ledger_deliveries_pkey", columns: [t.source, t.deliveryId] })],
);

/** The body hashes of the webhook sources' entries (migration 0026): the replay check's look-up, filled like ledger_deliveries. */
export const ledgerWebhookBodies = pgTable(
  "ledger_webhook_bodies",
  {
    source: text().notNull(),
    bodySha256: text().notNull(),
  },
  (t) => [primaryKey({ name: "ledger_webhook_bodies_pkey", columns: [t.source, t.bodySha256] })],
);

/**
 * One row per hash chain (`ledger`, `audit`): the head every writer locks FOR UPDATE, so appends
 * from any number of processes sharing the database stay one gapless, valid chain.
 */
export const chainHeads = pgTable("chain_heads", {
  chain: text().primaryKey(),
  seq: bigint({ mode: "number" }).notNull(),
  hash: text().notNull(),
  /** The ledger's Merkle right edge (`size:hash,hash,...`, lib/ledger/merkle.ts); null for the audit chain. */
  frontier: text(),
});

export type LedgerEvent = typeof ledgerEvents.$inferSelect;

/**
 * Partitions of the ledger and the audit log detached by `custody archive` and written to a file:
 * what `verify` starts from (the last archived entry's hash and the Merkle right edge after it),
 * and the file's SHA-256 so `custody restore` knows it is the file that was written. Append-only.
 */
export const chainArchives = pgTable(
  "chain_archives",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    chain: text().notNull(),
    partition: text().notNull(),
    fromAt: tstz().notNull(),
    toAt: tstz().notNull(),
    /** 0 when the partition held no entries. */
    entries: bigint({ mode: "number" }).notNull(),
    firstSeq: bigint({ mode: "number" }).notNull(),
    lastSeq: bigint({ mode: "number" }).notNull(),
    /** The hash of entry lastSeq: the previous hash of the first entry still in the database. */
    lastHash: text().notNull(),
    /** The ledger's Merkle right edge after lastSeq (`size:hash,...`); null for the audit log. */
    frontier: text(),
    fileName: text().notNull(),
    fileSha256: text().notNull(),
    archivedAt: tstz().notNull().defaultNow(),
  },
  (t) => [index("chain_archives_chain_last_seq_idx").on(t.chain, t.lastSeq)],
);

export type ChainArchive = typeof chainArchives.$inferSelect;
