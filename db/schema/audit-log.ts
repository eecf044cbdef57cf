import { bigint, index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/** Who did what, when, from where. Append-only and hash-chained like the ledger; partitioned by month of `at` like it. */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint({ mode: "number" }).notNull(),
    at: tstz().notNull(),
    actor: text().notNull(),
    actorType: text().notNull(),
    action: text().notNull(),
    target: text(),
    outcome: text().notNull().default("success"),
    ip: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [primaryKey({ name: "audit_log_pkey", columns: [t.seq, t.at] }), index("audit_log_at_idx").on(t.at), index("audit_log_actor_idx").on(t.actor)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
