import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * Fixed-window counters (e.g. sign-in attempts per IP). Kept in Postgres so every Custody
 * process sharing the database counts against the same limit.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text().primaryKey(),
  windowStart: tstz().notNull(),
  count: integer().notNull(),
});
