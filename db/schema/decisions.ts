import { bigint, bigserial, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * A gate decision asked at the moment of a change (`POST /api/v1/decisions`, `custody assert`, the
 * admission webhook's break glass). The ledger entry (`ledger_seq`) is the record; this row indexes
 * it for the admission webhook, the deployment page and the reports. Not a projection: a rebuild
 * leaves it as it is, like incidents and waivers.
 */
export const gateDecisions = pgTable(
  "gate_decisions",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    decisionId: text().notNull(),
    gate: text().notNull(),
    environment: text().notNull(),
    service: text(),
    digest: text(),
    commitSha: text(),
    pullRequest: text(),
    /** `allow`, `deny` or `warn`. */
    decision: text().notNull(),
    /** The failed, missing and waived checks with their reasons (passing ones are not repeated). */
    checks: jsonb().$type<Record<string, unknown>[]>().notNull(),
    policyVersion: text().notNull(),
    /** The token name or user email that asked. */
    requestedBy: text().notNull(),
    /** Break glass: `{ reason, person, incidentId }` when the change was let through in an emergency. */
    breakGlass: jsonb().$type<Record<string, unknown>>(),
    ledgerSeq: bigint({ mode: "number" }).notNull(),
    decidedAt: tstz().notNull(),
  },
  (t) => [
    uniqueIndex("gate_decisions_decision_id_key").on(t.decisionId),
    index("gate_decisions_digest_environment_decided_at_idx").on(t.digest, t.environment, t.decidedAt),
    index("gate_decisions_commit_sha_idx").on(t.commitSha),
  ],
);

export type GateDecision = typeof gateDecisions.$inferSelect;
