import { bigint, bigserial, boolean, foreignKey, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";

export const users = pgTable(
  "users",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    email: text().notNull(),
    name: text().notNull(),
    role: text().notNull(),
    passwordHash: text(),
    oidcSubject: text(),
    failedSignIns: integer().notNull().default(0),
    lockedUntil: tstz(),
    disabledAt: tstz(),
    /** Set by an admin's password reset: the one-time password must be changed at the next sign-in. */
    mustChangePassword: boolean().notNull().default(false),
    /** An engagement auditor's access ends here (lib/engagements): sessions and sign-in are refused from then on. */
    accessExpiresAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), uniqueIndex("users_oidc_subject_key").on(t.oidcSubject)],
);

/** Sessions are looked up by the SHA-256 of the cookie value; the value itself is never stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    tokenHash: text().notNull(),
    userId: bigint({ mode: "number" }).notNull(),
    csrfToken: text().notNull(),
    ip: text(),
    userAgent: text(),
    expiresAt: tstz().notNull(),
    revokedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_key").on(t.tokenHash),
    foreignKey({ name: "sessions_user_id_fk", columns: [t.userId], foreignColumns: [users.id] }).onDelete("cascade"),
    index("sessions_user_id_idx").on(t.userId),
  ],
);

/** Machine tokens: shown once, stored as SHA-256 (they are 256-bit random, so no slow hash is needed). */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    name: text().notNull(),
    prefix: text().notNull(),
    tokenHash: text().notNull(),
    scopes: text().array().notNull(),
    createdBy: text().notNull(),
    /** Scope limits; empty means any. Repositories are globs (`acme/*`). */
    eventTypes: text().array().notNull().default([]),
    repositories: text().array().notNull().default([]),
    environments: text().array().notNull().default([]),
    expiresAt: tstz(),
    lastUsedAt: tstz(),
    revokedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_tokens_token_hash_key").on(t.tokenHash), index("api_tokens_name_idx").on(t.name)],
);

export type User = typeof users.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
