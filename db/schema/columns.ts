import { boolean, text, timestamp } from "drizzle-orm/pg-core";

/** Timestamps are always stored with time zone and read as Date objects. */
export const tstz = (name?: string) =>
  name ? timestamp(name, { withTimezone: true, mode: "date" }) : timestamp({ withTimezone: true, mode: "date" });

export const createdAt = () => tstz().notNull().defaultNow();

/**
 * Where a projected fact came from, derived from the ledger entry that carried it (lib/evidence/source.ts):
 * `kind` (github-webhook, token, cli, ...), `id` (delivery id or token name), whether a platform
 * signature vouches for it, `key` (the stable sender: `github-webhook`, `token:<name>`, `cli`), and
 * every sender's key that reported the same fact (`source_keys`), so a losing version is never silent.
 */
export const sourceColumns = () => ({
  sourceKind: text().notNull().default("unknown"),
  sourceId: text().notNull().default(""),
  sourceVerified: boolean().notNull().default(false),
  sourceKey: text().notNull().default(""),
  sourceKeys: text().array().notNull().default([]),
});
