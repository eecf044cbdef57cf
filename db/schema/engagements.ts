import { bigint, bigserial, customType, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { createdAt, tstz } from "./columns";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * An audit engagement: framework, period, scope, and the ledger tree size its population was frozen
 * at (a signed checkpoint of that size exists); everything the auditor sees is computed as of it.
 */
export const engagements = pgTable(
  "engagements",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    name: text().notNull(),
    framework: text().notNull(),
    periodFrom: tstz().notNull(),
    periodTo: tstz().notNull(),
    /** Empty means every production environment (resolved at freezing and stored in scopeEnvironments). */
    environments: text().array().notNull().default([]),
    services: text().array().notNull().default([]),
    /** The in-scope environments as resolved when the population was frozen. */
    scopeEnvironments: text().array().notNull().default([]),
    treeSize: bigint({ mode: "number" }).notNull(),
    rootHash: text().notNull(),
    frozenAt: tstz().notNull(),
    /** The day the auditors' access ends. */
    endsAt: tstz().notNull(),
    state: text().notNull().default("open"),
    createdBy: text().notNull(),
    closedAt: tstz(),
    closedBy: text(),
    conclusion: text(),
    createdAt: createdAt(),
  },
  (t) => [index("engagements_state_idx").on(t.state)],
);

/** The frozen population: each change's row as it stood at the engagement's tree size. Never rewritten. */
export const engagementPopulation = pgTable(
  "engagement_population",
  {
    engagementId: bigint({ mode: "number" }).notNull(),
    changeId: text().notNull(),
    row: jsonb().$type<Record<string, string | number>>().notNull(),
  },
  (t) => [
    primaryKey({ name: "engagement_population_pkey", columns: [t.engagementId, t.changeId] }),
    foreignKey({ name: "engagement_population_engagement_id_fk", columns: [t.engagementId], foreignColumns: [engagements.id] }),
  ],
);

/**
 * An account limited to one engagement (a user may audit one engagement only). Invited by a one-time
 * link whose SHA-256 alone is stored; access ends at `expiresAt`, or earlier with `endedAt`.
 */
export const engagementAuditors = pgTable(
  "engagement_auditors",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    engagementId: bigint({ mode: "number" }).notNull(),
    userId: bigint({ mode: "number" }).notNull(),
    invitationHash: text(),
    invitationExpiresAt: tstz(),
    acceptedAt: tstz(),
    expiresAt: tstz().notNull(),
    endedAt: tstz(),
    invitedBy: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("engagement_auditors_user_id_key").on(t.userId),
    uniqueIndex("engagement_auditors_invitation_hash_key").on(t.invitationHash),
    index("engagement_auditors_engagement_id_idx").on(t.engagementId),
    foreignKey({ name: "engagement_auditors_engagement_id_fk", columns: [t.engagementId], foreignColumns: [engagements.id] }),
    foreignKey({ name: "engagement_auditors_user_id_fk", columns: [t.userId], foreignColumns: [users.id] }).onDelete("cascade"),
  ],
);

/** Every sample drawn, the latest being the one tested; a redraw carries its reason. Append-only. */
export const engagementSamples = pgTable(
  "engagement_samples",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    engagementId: bigint({ mode: "number" }).notNull(),
    drawNo: integer().notNull(),
    seed: text().notNull(),
    requestedSize: integer().notNull(),
    size: integer().notNull(),
    method: text().notNull(),
    populationSize: integer().notNull(),
    reason: text(),
    changeIds: text().array().notNull(),
    drawnBy: text().notNull(),
    drawnAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("engagement_samples_engagement_id_draw_no_key").on(t.engagementId, t.drawNo),
    foreignKey({ name: "engagement_samples_engagement_id_fk", columns: [t.engagementId], foreignColumns: [engagements.id] }),
  ],
);

/** A request on the engagement (PBC list) or on one sampled change. */
export const engagementRequests = pgTable(
  "engagement_requests",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    engagementId: bigint({ mode: "number" }).notNull(),
    /** Null for a request on the whole engagement. */
    changeId: text(),
    title: text().notNull(),
    body: text().notNull(),
    /** open, answered, accepted, reopened */
    status: text().notNull().default("open"),
    raisedBy: text().notNull(),
    createdAt: createdAt(),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    index("engagement_requests_engagement_id_idx").on(t.engagementId),
    foreignKey({ name: "engagement_requests_engagement_id_fk", columns: [t.engagementId], foreignColumns: [engagements.id] }),
  ],
);

/** The thread of a request: answers from compliance, acceptances and reopenings from the auditor. Append-only. */
export const engagementRequestMessages = pgTable(
  "engagement_request_messages",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    requestId: bigint({ mode: "number" }).notNull(),
    /** answer, accept, reopen */
    kind: text().notNull(),
    author: text().notNull(),
    body: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("engagement_request_messages_request_id_idx").on(t.requestId),
    foreignKey({ name: "engagement_request_messages_request_id_fk", columns: [t.requestId], foreignColumns: [engagementRequests.id] }),
  ],
);

/** Attachment bytes stored once by their SHA-256 (content-addressed). Append-only. */
export const evidenceBlobs = pgTable("evidence_blobs", {
  sha256: text().primaryKey(),
  bytes: integer().notNull(),
  content: bytea().notNull(),
  createdAt: createdAt(),
});

/** A file attached to an answer: its name and checked content type, pointing at the blob. Append-only. */
export const engagementAttachments = pgTable(
  "engagement_attachments",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    messageId: bigint({ mode: "number" }).notNull(),
    requestId: bigint({ mode: "number" }).notNull(),
    engagementId: bigint({ mode: "number" }).notNull(),
    sha256: text().notNull(),
    fileName: text().notNull(),
    contentType: text().notNull(),
    bytes: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("engagement_attachments_engagement_id_idx").on(t.engagementId),
    foreignKey({ name: "engagement_attachments_message_id_fk", columns: [t.messageId], foreignColumns: [engagementRequestMessages.id] }),
    foreignKey({ name: "engagement_attachments_sha256_fk", columns: [t.sha256], foreignColumns: [evidenceBlobs.sha256] }),
  ],
);

/** The auditor's test of one sampled change: pass or exception, with a note. Re-marking replaces it (audit-logged). */
export const engagementTests = pgTable(
  "engagement_tests",
  {
    engagementId: bigint({ mode: "number" }).notNull(),
    changeId: text().notNull(),
    result: text().notNull(),
    note: text().notNull().default(""),
    markedBy: text().notNull(),
    markedAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "engagement_tests_pkey", columns: [t.engagementId, t.changeId] }),
    foreignKey({ name: "engagement_tests_engagement_id_fk", columns: [t.engagementId], foreignColumns: [engagements.id] }),
  ],
);

export type Engagement = typeof engagements.$inferSelect;
export type EngagementAuditor = typeof engagementAuditors.$inferSelect;
export type EngagementSample = typeof engagementSamples.$inferSelect;
export type EngagementRequest = typeof engagementRequests.$inferSelect;
export type EngagementRequestMessage = typeof engagementRequestMessages.$inferSelect;
export type EngagementAttachment = typeof engagementAttachments.$inferSelect;
export type EngagementTest = typeof engagementTests.$inferSelect;
