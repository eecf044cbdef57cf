import { bigserial, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/** A deployment of one image to one service in one environment. */
export const deployments = pgTable(
  "deployments",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    service: text().notNull(),
    environment: text().notNull(),
    /** The image reference as written in the manifest (tag or digest). */
    imageRef: text().notNull(),
    /** The digest the reference resolved to, when known. */
    digest: text(),
    /**
     * Set when `digest` was not sent but inferred: the single image built from `commitSha` (a GitHub
     * deployment names a commit, not a digest). Null when the digest came with the deployment.
     */
    digestInferredFrom: text(),
    /** The digests of the images built from `commitSha` when there were several: none was picked. */
    digestCandidates: text().array(),
    manifestCommitSha: text(),
    commitSha: text(),
    pipelineProvider: text(),
    pipelineRunId: text(),
    actor: text(),
    /** `pipeline` when the CI system deployed it, `human` when a person did. */
    actorType: text().notNull().default("pipeline"),
    changeType: text().notNull().default("normal"),
    description: text(),
    status: text().notNull().default("success"),
    deployedAt: tstz().notNull(),
    sourceUpdatedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("deployments_external_id_key").on(t.externalId),
    index("deployments_environment_deployed_at_idx").on(t.environment, t.deployedAt),
    index("deployments_service_environment_deployed_at_idx").on(t.service, t.environment, t.deployedAt),
    index("deployments_digest_idx").on(t.digest),
    index("deployments_commit_sha_idx").on(t.commitSha),
    index("deployments_deployed_at_idx").on(t.deployedAt),
  ],
);

export type Deployment = typeof deployments.$inferSelect;
