import { timestamp } from "drizzle-orm/pg-core";

/** Timestamps are always stored with time zone and read as Date objects. */
export const tstz = (name?: string) =>
  name ? timestamp(name, { withTimezone: true, mode: "date" }) : timestamp({ withTimezone: true, mode: "date" });

export const createdAt = () => tstz().notNull().defaultNow();
