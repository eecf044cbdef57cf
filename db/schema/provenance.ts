import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";

/**
 * A Sigstore bundle (SLSA provenance or another in-toto statement) about an artifact digest, as
 * sent; the ledger holds the same bundle verbatim. `digest` is the image digest the bundle is
 * linked to (given by the sender, else each sha256 subject of its statement); null when neither
 * names one. The verdict is not stored here: verification runs in the evaluator, see below.
 */
export const provenanceBundles = pgTable(
  "provenance_bundles",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** SHA-256 of the bundle's canonical JSON: the cache key of its verification. */
    bundleSha256: text().notNull(),
    digest: text(),
    externalId: text().notNull(),
    mediaType: text(),
    bundle: jsonb().$type<Record<string, unknown>>().notNull(),
    receivedAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("provenance_bundles_external_id_key").on(t.externalId),
    index("provenance_bundles_digest_idx").on(t.digest),
    index("provenance_bundles_bundle_sha256_idx").on(t.bundleSha256),
  ],
);

/**
 * The outcome of verifying one bundle against one set of trust roots (`trustFingerprint`): the
 * cache the evaluator reads, so a bundle is verified once per trust configuration. A change of
 * trusted roots changes the fingerprint, and the bundles are verified again from the ledger copy.
 */
export const provenanceVerifications = pgTable(
  "provenance_verifications",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    bundleSha256: text().notNull(),
    trustFingerprint: text().notNull(),
    /** `verified` or `not-verified`. */
    status: text().notNull(),
    result: jsonb().$type<Record<string, unknown>>().notNull(),
    verifiedAt: tstz().notNull(),
  },
  (t) => [uniqueIndex("provenance_verifications_bundle_trust_key").on(t.bundleSha256, t.trustFingerprint)],
);

export type ProvenanceBundle = typeof provenanceBundles.$inferSelect;
export type ProvenanceVerificationRow = typeof provenanceVerifications.$inferSelect;
