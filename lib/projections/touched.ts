import { createHash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";

/** What a batch of events changed, so evaluation re-runs only where evidence moved. */
export interface Touched {
  digests: Set<string>;
  commitShas: Set<string>;
  pullRequests: Set<string>;
  deploymentKeys: Set<string>;
  snapshotIds: Set<number>;
  environments: Set<string>;
  services: Set<string>;
  auditEvents: number;
  /** Argo CD / Flux statuses stored (lib/drift/gitops.ts judges those of the batch). */
  gitopsStatuses: number;
  /** Databases (`<environment>/<database>`) whose migration history or pipeline records moved (lib/drift/migrations.ts). */
  migrationDatabases: Set<string>;
  /** Image repositories whose registry listing told the untagged images apart (lib/drift/untagged.ts). */
  registryRepositories: Set<string>;
  /** The newest source time among the events: when the evidence last moved. */
  latestEventAt: Date | null;
  /**
   * The evaluation-queue rows this covers, when judged by the worker after the ingest
   * transactions committed; null when judged inside the transaction that stored the evidence.
   */
  queued: number[] | null;
  /**
   * The shard of the evaluation queue judging this (CUSTODY_EVALUATION_SHARDS > 1): only the gate
   * checks of the deployments of its images, and the drift of its environments; null: all.
   */
  shard: { index: number; count: number } | null;
}

/**
 * The shard of a key (an environment for drift, an image for gate checks): a stable hash, the
 * same in every process and release.
 */
export function shardOf(key: string, count: number): number {
  if (count <= 1) return 0;
  return createHash("sha256").update(key).digest().readUInt32BE(0) % count;
}

/** Whether this evaluation judges what belongs to `key` (always, when it is not sharded). */
export function inShard(t: Pick<Touched, "shard">, key: string): boolean {
  return t.shard === null || shardOf(key, t.shard.count) === t.shard.index;
}

export function emptyTouched(): Touched {
  return {
    digests: new Set(),
    commitShas: new Set(),
    pullRequests: new Set(),
    deploymentKeys: new Set(),
    snapshotIds: new Set(),
    environments: new Set(),
    services: new Set(),
    auditEvents: 0,
    gitopsStatuses: 0,
    migrationDatabases: new Set(),
    registryRepositories: new Set(),
    latestEventAt: null,
    queued: null,
    shard: null,
  };
}

export function isEmptyTouched(t: Touched): boolean {
  return (
    t.digests.size + t.commitShas.size + t.pullRequests.size + t.deploymentKeys.size + t.snapshotIds.size + t.environments.size + t.services.size === 0 &&
    t.auditEvents === 0 &&
    t.gitopsStatuses === 0 &&
    t.migrationDatabases.size === 0 &&
    t.registryRepositories.size === 0
  );
}

type TouchedJson = {
  digests: string[];
  commitShas: string[];
  pullRequests: string[];
  deploymentKeys: string[];
  snapshotIds: number[];
  environments: string[];
  services: string[];
  auditEvents: number;
  gitopsStatuses?: number;
  migrationDatabases?: string[];
  registryRepositories?: string[];
  latestEventAt: string | null;
};

export function touchedToJson(t: Touched): TouchedJson {
  return {
    digests: [...t.digests],
    commitShas: [...t.commitShas],
    pullRequests: [...t.pullRequests],
    deploymentKeys: [...t.deploymentKeys],
    snapshotIds: [...t.snapshotIds],
    environments: [...t.environments],
    services: [...t.services],
    auditEvents: t.auditEvents,
    gitopsStatuses: t.gitopsStatuses,
    migrationDatabases: [...t.migrationDatabases],
    registryRepositories: [...t.registryRepositories],
    latestEventAt: t.latestEventAt?.toISOString() ?? null,
  };
}

/** Adds a stored (queued) touched set into `into`: the union of what several batches changed. */
export function mergeTouchedJson(into: Touched, json: Partial<TouchedJson>): Touched {
  for (const v of json.digests ?? []) into.digests.add(v);
  for (const v of json.commitShas ?? []) into.commitShas.add(v);
  for (const v of json.pullRequests ?? []) into.pullRequests.add(v);
  for (const v of json.deploymentKeys ?? []) into.deploymentKeys.add(v);
  for (const v of json.snapshotIds ?? []) into.snapshotIds.add(Number(v));
  for (const v of json.environments ?? []) into.environments.add(v);
  for (const v of json.services ?? []) into.services.add(v);
  into.auditEvents += json.auditEvents ?? 0;
  into.gitopsStatuses += json.gitopsStatuses ?? 0;
  for (const v of json.migrationDatabases ?? []) into.migrationDatabases.add(v);
  for (const v of json.registryRepositories ?? []) into.registryRepositories.add(v);
  if (json.latestEventAt) {
    const at = new Date(json.latestEventAt);
    if (!into.latestEventAt || at > into.latestEventAt) into.latestEventAt = at;
  }
  return into;
}

/**
 * "Stored by the batch this evaluation covers", for a `created_at` column: rows default their
 * created_at to the storing transaction's `now()`, and so does the queue row that transaction
 * added, so the worker matches them exactly.
 */
export function storedInBatch(t: Touched, createdAt: SQL): SQL {
  if (t.queued === null) return sql`${createdAt} = now()`;
  return sql`${createdAt} in (select q.enqueued_at from evaluation_queue q where q.id = any(${sql.param(t.queued)}::bigint[]))`;
}
