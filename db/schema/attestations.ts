import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/**
 * A named check with a result about a subject: staging verification, backup verification,
 * DNS/certificate/network check, rollback test, vulnerability or secret scan.
 */
export const attestations = pgTable(
  "attestations",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    type: text().notNull(),
    /** The subject: usually an image digest, else a service or environment name. */
    subject: text().notNull(),
    service: text(),
    environment: text(),
    result: text().notNull(),
    actor: text(),
    details: jsonb().$type<Record<string, unknown>>(),
    observedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("attestations_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("attestations_subject_type_idx").on(t.subject, t.type),
    index("attestations_type_environment_observed_at_idx").on(t.type, t.environment, t.observedAt),
    // A deployment's evidence reads the service-level attestations (network, backup, rollback) of its service.
    index("attestations_service_type_observed_at_idx").on(t.service, t.type, t.observedAt),
  ],
);

export type Attestation = typeof attestations.$inferSelect;
