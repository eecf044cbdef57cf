import { z } from "zod";
import { config } from "../config";
import { isLinkUrl } from "../http/link-url";
import { OUTSIDE_STORABLE, storableInstant } from "../evidence/cursor";

/**
 * Custody's own event format (API.md, `POST /api/v1/events`): the one shape every source is
 * normalised into. GitHub deliveries, the CLI, cluster agents and other CI systems all end up as
 * these events, and the projector applies only these.
 */

export const digestSchema = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, "must be an OCI digest: sha256: followed by 64 lowercase hex characters");
export const shaSchema = z.string().regex(/^[a-f0-9]{7,64}$/, "must be a hex git commit SHA");
export const repositorySchema = z.string().regex(/^[\w.-]+(?:\/[\w.-]+){1,20}$/, "must be owner/name (GitLab: group/subgroup/project)");
/** ISO 8601 with an offset, in the years Postgres holds (year 0000 in UTC, or past 9999, could not be stored). */
const isoDate = z.iso
  .datetime({ offset: true })
  .refine((v) => storableInstant(new Date(v)), OUTSIDE_STORABLE);
const name = z.string().min(1).max(200);
const person = z.string().min(1).max(200);
/** A link shown on the pages: https, or http on localhost in the trial (lib/http/link-url.ts). */
const linkUrl = z
  .string()
  .max(2000)
  .refine((v) => isLinkUrl(v, config().mode === "trial"), "must be an https:// URL (http:// only for localhost in the trial)");
const pipelineRef = z.object({ provider: name, runId: z.string().min(1).max(200) });

const base = {
  id: z.string().min(1).max(200).describe("The producer's unique id for this event; resending it is a no-op."),
  occurredAt: isoDate.describe("When it happened at the source (ISO 8601 with offset)."),
};

export const pipelineRunEvent = z.object({
  ...base,
  type: z.literal("pipeline_run"),
  provider: name.describe("CI system, e.g. github-actions, gitlab, jenkins, buildkite"),
  runId: z.string().min(1).max(200),
  attempt: z.number().int().positive().default(1),
  repository: repositorySchema.optional(),
  workflow: name.optional(),
  commitSha: shaSchema.optional(),
  branch: name.optional(),
  event: name.optional(),
  actor: person.optional(),
  triggeringActor: person.optional(),
  status: z.enum(["queued", "in_progress", "completed"]),
  conclusion: z.enum(["success", "failure", "cancelled", "skipped", "timed_out", "action_required", "neutral", "stale"]).optional(),
  startedAt: isoDate.optional(),
  completedAt: isoDate.optional(),
  url: linkUrl.optional(),
});

export const commitEvent = z.object({
  ...base,
  type: z.literal("commit"),
  repository: repositorySchema,
  sha: shaSchema,
  message: z.string().max(100_000).default(""),
  author: z.object({ name: z.string().optional(), email: z.string().optional(), login: z.string().optional() }).optional(),
  committerLogin: person.optional(),
  branch: name.optional(),
  pushedBy: person.optional(),
  url: linkUrl.optional(),
});

export const pullRequestEvent = z.object({
  ...base,
  type: z.literal("pull_request"),
  repository: repositorySchema,
  number: z.number().int().positive(),
  title: z.string().max(1000).default(""),
  body: z.string().max(200_000).default(""),
  author: person.optional(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean().default(false),
  mergedAt: isoDate.optional(),
  mergedBy: person.optional(),
  mergeCommitSha: shaSchema.optional(),
  headSha: shaSchema.optional(),
  baseRef: name.optional(),
  openedAt: isoDate.optional(),
  url: linkUrl.optional(),
});

export const reviewEvent = z.object({
  ...base,
  type: z.literal("review"),
  repository: repositorySchema,
  pullNumber: z.number().int().positive(),
  reviewId: z.string().min(1).max(200),
  reviewer: person,
  state: z.enum(["approved", "changes_requested", "commented", "dismissed"]),
  commitSha: shaSchema.optional(),
});

export const checkRunEvent = z.object({
  ...base,
  type: z.literal("check_run"),
  checkId: z.string().min(1).max(200),
  repository: repositorySchema,
  headSha: shaSchema,
  name,
  status: z.enum(["queued", "in_progress", "completed"]),
  conclusion: z.enum(["success", "failure", "cancelled", "skipped", "timed_out", "action_required", "neutral", "stale"]).optional(),
  url: linkUrl.optional(),
});

export const imageBuildEvent = z.object({
  ...base,
  type: z.literal("image_build"),
  repository: z.string().min(1).max(300).describe("Image repository, e.g. ghcr.io/acme/checkout"),
  digest: digestSchema,
  tags: z.array(z.string().min(1).max(128)).max(100).default([]),
  service: name.optional(),
  commitSha: shaSchema.optional(),
  pipeline: pipelineRef.optional(),
  builder: z.string().min(1).max(300).optional().describe("Builder identity, e.g. github-actions or alice@laptop"),
  baseImages: z.array(z.object({ ref: z.string().min(1).max(500), digest: digestSchema.nullable().optional() })).max(50).optional(),
  stages: z.number().int().positive().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  scan: z
    .object({
      scanner: z.string().max(100).optional(),
      counts: z.object({
        critical: z.number().int().nonnegative().optional(),
        high: z.number().int().nonnegative().optional(),
        medium: z.number().int().nonnegative().optional(),
        low: z.number().int().nonnegative().optional(),
      }),
      scannedAt: isoDate.optional(),
    })
    .optional(),
  secretScan: z.object({ passed: z.boolean(), scanner: z.string().max(100).optional() }).optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
});

export const deploymentEvent = z.object({
  ...base,
  type: z.literal("deployment"),
  deploymentId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Groups status updates of one deployment; defaults to the event id."),
  service: name,
  environment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name"),
  imageRef: z.string().min(1).max(500),
  digest: digestSchema.optional(),
  manifestCommitSha: shaSchema.optional(),
  commitSha: shaSchema.optional(),
  pipeline: pipelineRef.optional(),
  actor: person.optional(),
  actorType: z.enum(["pipeline", "human"]).default("pipeline"),
  changeType: z.enum(["normal", "emergency"]).default("normal"),
  description: z.string().max(5000).optional(),
  status: z.enum(["pending", "in_progress", "success", "failure", "error", "inactive"]).default("success"),
});

export const snapshotContainer = z.object({
  name,
  image: z.string().min(1).max(500),
  digest: digestSchema.nullable().optional(),
  configHash: z.string().max(200).nullable().optional(),
});

export const snapshotWorkload = z.object({
  namespace: name,
  kind: name,
  name,
  service: name.optional(),
  containers: z.array(snapshotContainer).min(1).max(100),
  managers: z
    .array(z.object({ manager: z.string().max(200), operation: z.string().max(50), time: isoDate.nullable().optional() }))
    .max(100)
    .optional(),
  lastAppliedBy: z.string().max(200).optional(),
  replicas: z.number().int().nonnegative().default(1),
});

const fieldManagers = z
  .array(
    z.object({
      manager: z.string().max(200),
      operation: z.string().max(50),
      time: isoDate.nullable().optional(),
      subresource: z.string().max(100).optional(),
    }),
  )
  .max(100);
export const configHashSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be sha256: and 64 hex characters (the CLI hashes the data)");

/** A controller (Deployment, StatefulSet, DaemonSet, CronJob, Job) as the cluster reports it; see lib/ingest/kubernetes/cluster-objects.ts. */
export const snapshotController = z.strictObject({
  namespace: name,
  kind: name,
  name,
  service: name.optional(),
  /** Container name to image, from the pod template. */
  images: z.record(z.string().max(200), z.string().max(500)),
  /** The ConfigMaps and Secrets its pod template mounts or reads (volumes, envFrom, env valueFrom). */
  configRefs: z.array(z.strictObject({ kind: z.enum(["ConfigMap", "Secret"]), name })).max(200),
  managers: fieldManagers.optional(),
  /** Container images named by kubectl.kubernetes.io/last-applied-configuration, when present. */
  lastAppliedImages: z.record(z.string().max(200), z.string().max(500)).optional(),
});

/** A ConfigMap or Secret reduced to the hash of its data: values never leave the cluster. */
export const snapshotConfig = z.strictObject({
  namespace: name,
  kind: z.enum(["ConfigMap", "Secret"]),
  name,
  dataHash: configHashSchema,
  keys: z.number().int().nonnegative().max(100_000).optional(),
});

export const snapshotEvent = z.object({
  ...base,
  type: z.literal("snapshot"),
  environment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name"),
  source: z.string().max(100).default("kubernetes"),
  workloads: z.array(snapshotWorkload).max(50_000),
  controllers: z.array(snapshotController).max(20_000).optional(),
  configs: z.array(snapshotConfig).max(50_000).optional(),
  /** Objects of kinds Custody does not judge: kept in the ledger, ignored by drift. */
  otherObjects: z
    .array(z.strictObject({ apiVersion: z.string().max(200).optional(), kind: name, namespace: name.optional(), name }))
    .max(50_000)
    .optional(),
});

export const attestationEvent = z.object({
  ...base,
  type: z.literal("attestation"),
  attestationType: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .describe("e.g. staging-verification, backup-verification, network-check, rollback-test, vulnerability-scan, secret-scan"),
  subject: z.string().min(1).max(300).describe("Usually an image digest; else a service or environment name"),
  service: name.optional(),
  environment: z.string().max(63).optional(),
  result: z.enum(["pass", "fail"]),
  actor: person.optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const clusterAuditEvent = z.object({
  ...base,
  type: z.literal("k8s_audit"),
  environment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name"),
  auditId: z.string().min(1).max(200),
  verb: name,
  username: z.string().min(1).max(300),
  resource: z.string().max(200).optional(),
  subresource: z.string().max(200).optional(),
  namespace: z.string().max(200).optional(),
  name: z.string().max(300).optional(),
  userAgent: z.string().max(500).optional(),
  /** The user the request was made as (`kubectl --as`), when the person impersonated someone. */
  impersonatedUser: z.string().min(1).max(300).optional(),
});

export const sigstoreBundleEvent = z.object({
  ...base,
  type: z.literal("sigstore_bundle"),
  digest: digestSchema.optional().describe("The image digest the bundle is about; default: each sha256 subject of its in-toto statement"),
  bundle: z.record(z.string(), z.unknown()).describe("A Sigstore bundle; usually sent to POST /api/v1/attestations/sigstore, verified by the evaluator"),
});

/**
 * What a GitOps controller (Argo CD Application, Flux Kustomization or HelmRelease) said about one
 * object at one time: from a snapshot (`custody snapshot argocd|flux`) or a Flux event. Fields the
 * observation does not know are left out, and the drift rules judge only the fields given.
 */
export const gitopsStatusEvent = z.object({
  ...base,
  type: z.literal("gitops_status"),
  environment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name"),
  tool: z.enum(["argocd", "flux"]),
  namespace: name,
  kind: name.describe("Application, Kustomization, HelmRelease, GitRepository, ..."),
  name,
  service: name.optional(),
  revision: z.string().min(1).max(300).optional().describe("Argo CD sync revision or Flux lastAppliedRevision (a git SHA, main@sha1:..., or a chart version)"),
  syncStatus: z.string().min(1).max(50).optional().describe("Argo CD: Synced, OutOfSync, Unknown"),
  health: z.string().min(1).max(50).optional(),
  automated: z.boolean().optional().describe("Argo CD: an automated sync policy is set"),
  selfHeal: z.boolean().optional().describe("Argo CD: automated sync reverts changes made in the cluster"),
  suspended: z.boolean().optional().describe("Flux: spec.suspend"),
  lastSync: z
    .object({ by: person.optional(), automated: z.boolean(), at: isoDate.optional(), revision: z.string().max(300).optional() })
    .optional()
    .describe("Who started the last sync: a person (a manual sync) or the controller (automated)"),
  images: z.array(z.string().min(1).max(500)).max(200).optional().describe("Argo CD status.summary.images: what the application runs"),
  reason: z.string().max(200).optional().describe("Flux event reason, e.g. ReconciliationSucceeded, ValidationFailed"),
  severity: z.string().max(20).optional(),
  message: z.string().max(5000).optional(),
});

/** The tags a registry still holds for one repository (OCI tags/list, crane ls, skopeo list-tags): what a rollback can draw on. */
export const registryTagsEvent = z.object({
  ...base,
  type: z.literal("registry_tags"),
  repository: z.string().min(1).max(500).describe("e.g. ghcr.io/acme/checkout, as image builds name it"),
  tags: z.array(z.string().min(1).max(128)).max(100_000),
  untagged: z
    .array(z.strictObject({ digest: digestSchema, pushedAt: isoDate.nullable() }))
    .max(100_000)
    .optional()
    .describe("Untagged manifests the registry still holds (GitHub Packages versions, aws ecr describe-images); absent when the listing cannot tell"),
});

/** The migration tools whose history tables Custody reads (lib/ingest/migrations/history.ts). */
export const migrationTools = ["flyway", "liquibase", "alembic", "rails", "prisma", "drizzle"] as const;
const environmentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name");
const databaseName = z.string().min(1).max(200).describe("The database as the team names it, e.g. orders (a host or schema may be part of it: orders-eu/public)");
const migrationId = z.string().min(1).max(500).describe("The tool's identity of the migration: Flyway version (or script of a repeatable one), Liquibase id::author::filename, Alembic revision, Rails version, Prisma migration_name, drizzle created_at");

/** One migration as a history table records it, reduced to what every tool has in common (what a tool does not record is left out). */
export const appliedMigration = z.strictObject({
  id: migrationId,
  checksum: z.string().min(1).max(200).optional().describe("As the tool records it: Flyway CRC32, Liquibase MD5SUM, Prisma and drizzle SHA-256"),
  description: z.string().max(1000).optional(),
  script: z.string().max(1000).optional(),
  appliedAt: isoDate.optional(),
  appliedBy: z.string().min(1).max(200).optional().describe("Who applied it, where the tool records one (Flyway installed_by)"),
  success: z.boolean().optional(),
});

/**
 * A migration applied to a database, as its applier reports it: the pipeline after its migrate step
 * (`custody migrations record`, with `pipeline`), or anyone else (a person's own record: no pipeline).
 * What `drift.manual-migration` counts as applied by a pipeline is a migration event with `pipeline`.
 */
export const migrationEvent = z.object({
  ...base,
  type: z.literal("migration"),
  environment: environmentName,
  database: databaseName,
  tool: z.enum(migrationTools),
  migration: appliedMigration,
  service: name.optional(),
  pipeline: pipelineRef.optional().describe("The pipeline run that applied it; absent: not applied by a pipeline"),
  deploymentId: z.string().min(1).max(200).optional().describe("The deployment this migration went out with, when there is one"),
});

/** What a database reports as applied: the rows of its migration tool's history table (`custody snapshot migrations`). */
export const migrationSnapshotEvent = z.object({
  ...base,
  type: z.literal("migration_snapshot"),
  environment: environmentName,
  database: databaseName,
  tool: z.enum(migrationTools),
  migrations: z.array(appliedMigration).max(100_000),
});

export const custodyEvent = z.discriminatedUnion("type", [
  pipelineRunEvent,
  commitEvent,
  pullRequestEvent,
  reviewEvent,
  checkRunEvent,
  imageBuildEvent,
  deploymentEvent,
  snapshotEvent,
  attestationEvent,
  clusterAuditEvent,
  sigstoreBundleEvent,
  gitopsStatusEvent,
  registryTagsEvent,
  migrationEvent,
  migrationSnapshotEvent,
]);

export const eventsBatch = z.object({ events: z.array(custodyEvent).min(1).max(5000) });
export const eventsRequest = z.union([custodyEvent, eventsBatch]);

export type CustodyEvent = z.infer<typeof custodyEvent>;
export type CustodyEventType = CustodyEvent["type"];
export type EventOf<T extends CustodyEventType> = Extract<CustodyEvent, { type: T }>;
export const eventTypes = custodyEvent.options.map((o) => o.shape.type.value) as CustodyEventType[];
