import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

export interface BaseImage {
  ref: string;
  digest: string | null;
}

export interface ScanResult {
  scanner?: string;
  /** Counts by severity: critical, high, medium, low. */
  counts: Partial<Record<"critical" | "high" | "medium" | "low", number>>;
  scannedAt?: string;
  passed?: boolean;
}

/** An image build: the digest CI (or someone else) produced from a commit. */
export const imageBuilds = pgTable(
  "image_builds",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    service: text(),
    repository: text().notNull(),
    digest: text().notNull(),
    tags: text().array().notNull().default([]),
    commitSha: text(),
    pipelineProvider: text(),
    pipelineRunId: text(),
    builder: text(),
    baseImages: jsonb().$type<BaseImage[]>(),
    stages: integer(),
    sizeBytes: bigint({ mode: "number" }),
    scan: jsonb().$type<ScanResult>(),
    secretScan: jsonb().$type<{ passed: boolean; scanner?: string }>(),
    provenance: jsonb().$type<Record<string, unknown>>(),
    builtAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("image_builds_repository_digest_key").on(t.repository, t.digest),
    index("image_builds_digest_idx").on(t.digest),
    index("image_builds_commit_sha_idx").on(t.commitSha),
    index("image_builds_service_built_at_idx").on(t.service, t.builtAt),
    // Tagged images retained per service, counted up to the policy threshold: an index-only probe.
    index("image_builds_service_tagged_idx").on(t.service).where(sql`cardinality(${t.tags}) > 0`),
  ],
);

export type ImageBuild = typeof imageBuilds.$inferSelect;
