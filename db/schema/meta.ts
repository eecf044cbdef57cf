import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/** Instance facts: when demo data was loaded, the schema's owner, and the like. */
export const instanceMeta = pgTable("instance_meta", {
  key: text().primaryKey(),
  value: jsonb().$type<unknown>().notNull(),
  updatedAt: tstz().notNull().defaultNow(),
});
