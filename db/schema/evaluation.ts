import { bigserial, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * What ingestion changed and evaluation has not judged yet. The ingest transaction adds one row
 * (what its projections touched) and commits without running the gate checks and drift rules; a
 * worker judges the rows and deletes them in its own transaction. `enqueued_at` is the ingest
 * transaction's `now()`, the same value as the `created_at` of every row it stored, which is
 * how the worker finds "what that batch stored".
 */
export const evaluationQueue = pgTable("evaluation_queue", {
  id: bigserial({ mode: "number" }).primaryKey(),
  touched: jsonb().$type<Record<string, unknown>>().notNull(),
  enqueuedAt: tstz().notNull().defaultNow(),
  /** Failed evaluations of this row alone; a row that keeps failing is set aside, not retried forever. */
  attempts: integer().notNull().default(0),
  lastError: text(),
  /**
   * The shards (bit i: shard i of CUSTODY_EVALUATION_SHARDS) that have judged this row. Every shard
   * judges every row, restricted to its own environments; the row is deleted when all have.
   */
  doneShards: integer().notNull().default(0),
});
