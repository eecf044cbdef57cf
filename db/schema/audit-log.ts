import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/** Who did what, when, from where. Append-only and hash-chained like the ledger. */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint({ mode: "number" }).primaryKey(),
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
  (t) => [index("audit_log_at_idx").on(t.at), index("audit_log_actor_idx").on(t.actor)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
