import { boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

/** A deployable unit; `repository` is its source repository (owner/name). */
export const services = pgTable(
  "services",
  {
    name: text().primaryKey(),
    repository: text(),
    imageRepository: text(),
    createdAt: createdAt(),
  },
  (t) => [index("services_repository_idx").on(t.repository)],
);

/** Environments are ordered: development (0) -> staging (1) -> production (2). */
export const environments = pgTable("environments", {
  name: text().primaryKey(),
  rank: integer().notNull(),
  isProduction: boolean().notNull().default(false),
  createdAt: createdAt(),
});

export type Service = typeof services.$inferSelect;
export type Environment = typeof environments.$inferSelect;
