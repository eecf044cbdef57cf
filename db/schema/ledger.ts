import { sql } from "drizzle-orm";
import { bigint, index, pgTable, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * The ledger: every accepted request, verbatim, hash-chained. Append-only: a trigger in the
 * migrations refuses UPDATE, DELETE and TRUNCATE, so evidence cannot be rewritten after the fact.
 * hash = sha256(prevHash, newline, canonical JSON of the fields, body by its SHA-256); `principal` from hash version 2 (lib/ledger/ledger.ts).
 */
export const ledgerEvents = pgTable(
  "ledger_events",
  {
    seq: bigint({ mode: "number" }).primaryKey(),
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
    uniqueIndex("ledger_events_source_delivery_id_key").on(t.source, t.deliveryId),
    index("ledger_events_received_at_idx").on(t.receivedAt),
    // A replayed webhook body under a new delivery id is found by its hash (webhook sources only,
    // so batches of events do not pay for a second index).
    index("ledger_events_webhook_body_sha256_idx").on(t.source, t.bodySha256).where(sql`source in ('github', 'gitlab')`),
  ],
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
