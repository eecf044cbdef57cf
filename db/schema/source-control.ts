import { bigserial, index, integer, pgTable, text, uniqueIndex, boolean } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

export const commits = pgTable(
  "commits",
  {
    sha: text().primaryKey(),
    repository: text().notNull(),
    message: text().notNull().default(""),
    authorName: text(),
    authorEmail: text(),
    authorLogin: text(),
    committerLogin: text(),
    branch: text(),
    pushedBy: text(),
    committedAt: tstz(),
    url: text(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [index("commits_repository_committed_at_idx").on(t.repository, t.committedAt)],
);

export const pullRequests = pgTable(
  "pull_requests",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    repository: text().notNull(),
    number: integer().notNull(),
    title: text().notNull().default(""),
    body: text().notNull().default(""),
    author: text(),
    state: text().notNull().default("open"),
    merged: boolean().notNull().default(false),
    mergedAt: tstz(),
    mergedBy: text(),
    mergeCommitSha: text(),
    headSha: text(),
    baseRef: text(),
    url: text(),
    openedAt: tstz(),
    /** Source timestamp of the last event applied: a late, older event never overwrites a newer one. */
    sourceUpdatedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("pull_requests_repository_number_key").on(t.repository, t.number),
    index("pull_requests_merge_commit_sha_idx").on(t.mergeCommitSha),
    index("pull_requests_head_sha_idx").on(t.headSha),
  ],
);

export const reviews = pgTable(
  "reviews",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** Provider's review id (or the producer's), unique per repository. */
    externalId: text().notNull(),
    repository: text().notNull(),
    pullNumber: integer().notNull(),
    reviewer: text().notNull(),
    state: text().notNull(),
    commitSha: text(),
    submittedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    // Keyed by sender too: a token's copy of a review never replaces the webhook's, both are kept.
    uniqueIndex("reviews_repository_source_key_external_id_key").on(t.repository, t.sourceKey, t.externalId),
    index("reviews_repository_pull_number_idx").on(t.repository, t.pullNumber),
  ],
);

/** CI check results on a commit (GitHub check runs, workflow jobs, other CI's checks). */
export const checkRuns = pgTable(
  "check_runs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    repository: text().notNull(),
    headSha: text().notNull(),
    name: text().notNull(),
    status: text().notNull(),
    conclusion: text(),
    completedAt: tstz(),
    url: text(),
    sourceUpdatedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("check_runs_external_id_key").on(t.externalId),
    index("check_runs_head_sha_idx").on(t.headSha),
  ],
);

export const pipelineRuns = pgTable(
  "pipeline_runs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    provider: text().notNull(),
    runId: text().notNull(),
    attempt: integer().notNull().default(1),
    repository: text(),
    workflow: text(),
    commitSha: text(),
    branch: text(),
    event: text(),
    actor: text(),
    triggeringActor: text(),
    status: text().notNull(),
    conclusion: text(),
    startedAt: tstz(),
    completedAt: tstz(),
    url: text(),
    sourceUpdatedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("pipeline_runs_provider_run_id_attempt_key").on(t.provider, t.runId, t.attempt),
    index("pipeline_runs_run_id_idx").on(t.runId),
    index("pipeline_runs_commit_sha_idx").on(t.commitSha),
  ],
);

/**
 * Repositories that send Custody signed webhook deliveries (derived from the ledger). The policy's
 * default for them: pull requests, reviews, merges and check runs count only from the webhook.
 */
export const webhookRepositories = pgTable("webhook_repositories", {
  repository: text().primaryKey(),
  sourceKind: text().notNull(),
  createdAt: createdAt(),
});

export type Commit = typeof commits.$inferSelect;
export type PullRequest = typeof pullRequests.$inferSelect;
export type Review = typeof reviews.$inferSelect;
export type CheckRun = typeof checkRuns.$inferSelect;
export type PipelineRun = typeof pipelineRuns.$inferSelect;
