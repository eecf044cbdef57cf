import { bigint, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * Perfect subtrees of the ledger's RFC 9162 Merkle tree at level 6 and above (64 leaves or more),
 * written once when the append completing them commits; smaller ones are recomputed from the
 * entries' hashes. Append-only like the ledger: proofs are built from them, and a changed node
 * only yields proofs that fail against the signed checkpoints.
 */
export const ledgerTreeNodes = pgTable(
  "ledger_tree_nodes",
  {
    level: integer().notNull(),
    index: bigint({ mode: "number" }).notNull(),
    hash: text().notNull(),
  },
  (t) => [primaryKey({ name: "ledger_tree_nodes_pkey", columns: [t.level, t.index] })],
);

/** Signed checkpoints of the ledger tree (C2SP tlog-checkpoint notes), one per tree size. */
export const ledgerCheckpoints = pgTable(
  "ledger_checkpoints",
  {
    treeSize: bigint({ mode: "number" }).primaryKey(),
    rootHash: text().notNull(),
    note: text().notNull(),
    keyId: text().notNull(),
    /** What asked for it: `entries` (every N), `interval` (every M minutes) or `package` (an evidence package). */
    trigger: text().notNull(),
    signedAt: tstz().notNull().defaultNow(),
  },
  (t) => [index("ledger_checkpoints_signed_at_idx").on(t.signedAt)],
);

export type LedgerCheckpoint = typeof ledgerCheckpoints.$inferSelect;
