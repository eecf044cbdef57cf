import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { BuildRef, DeploymentRef, FieldManagerEntry, ObservedContainer, RecordedEvidence } from "../policy/drift";

export interface SnapshotRef {
  id: number;
  externalId: string;
  environment: string;
  observedAt: Date;
  isProduction: boolean;
}

/** Which containers of the snapshot to judge: all, or those running these digests or services. */
export type WorkloadFilter = { digests: string[]; services: string[] } | null;

type Row = {
  namespace: string;
  kind: string;
  name: string;
  service: string | null;
  container: string;
  image_ref: string;
  digest: string | null;
  config_hash: string | null;
  managers: FieldManagerEntry[] | null;
  last_applied_by: string | null;
  dep: DeploymentJson | null;
  last_dep: DeploymentJson | null;
  builds: BuildJson[] | null;
  staging: { source: "deployment" | "snapshot"; ref: string; at: string } | null;
  base: { snapshot: string; observed_at: string; config_hash: string | null } | null;
};
type DeploymentJson = { id: number; external_id: string; deployed_at: string; image_ref: string; digest: string | null; actor: string | null };
type BuildJson = {
  id: number;
  repository: string;
  service: string | null;
  builder: string | null;
  provenance: Record<string, unknown> | null;
  pipeline_provider: string | null;
  pipeline_run_id: string | null;
  tags: string[];
  built_at: string;
};

const listOf = (values: string[]): SQL => sql.join(values.map((v) => sql`${v}`), sql`, `);

function filterClause(filter: WorkloadFilter): SQL {
  if (filter === null) return sql``;
  const parts: SQL[] = [];
  if (filter.digests.length > 0) parts.push(sql`sw.digest in (${listOf(filter.digests)})`);
  if (filter.services.length > 0) parts.push(sql`sw.service in (${listOf(filter.services)})`);
  return parts.length === 0 ? sql`and false` : sql`and (${sql.join(parts, sql` or `)})`;
}

const deploymentJson = (alias: string): SQL =>
  sql.raw(
    `jsonb_build_object('id', ${alias}.id, 'external_id', ${alias}.external_id, 'deployed_at', ${alias}.deployed_at, 'image_ref', ${alias}.image_ref, 'digest', ${alias}.digest, 'actor', ${alias}.actor)`,
  );

/**
 * One set-based query: every container of the snapshot joined with its recorded deployment, the
 * service's last deployment, its builds, its staging history, its config baseline and the number
 * of tagged images retained for its service. Indexes make each lateral join a probe, not a scan.
 */
export async function gatherSnapshotEvidence(
  db: Queryable,
  snap: SnapshotRef,
  filter: WorkloadFilter,
): Promise<{ observed: ObservedContainer; recorded: RecordedEvidence }[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select sw.namespace, sw.kind, sw.name, sw.service, sw.container, sw.image_ref, sw.digest, sw.config_hash, sw.managers, sw.last_applied_by,
          dep.j as dep, last_dep.j as last_dep, builds.j as builds, ${snap.isProduction ? sql`stg.j` : sql`null`} as staging, base.j as base
        from snapshot_workloads sw
        left join lateral (
          select ${deploymentJson("d")} as j from deployments d
          where d.digest = sw.digest and d.environment = ${snap.environment} and d.status = 'success' and d.deployed_at <= ${snap.observedAt}
          order by d.deployed_at desc, d.id desc limit 1) dep on true
        left join lateral (
          select ${deploymentJson("d")} as j, d.deployed_at from deployments d
          where d.service = sw.service and d.environment = ${snap.environment} and d.status = 'success' and d.deployed_at <= ${snap.observedAt}
          order by d.deployed_at desc, d.id desc limit 1) last_dep on true
        left join lateral (
          select jsonb_agg(jsonb_build_object('id', b.id, 'repository', b.repository, 'service', b.service, 'builder', b.builder,
            'provenance', b.provenance, 'pipeline_provider', b.pipeline_provider, 'pipeline_run_id', b.pipeline_run_id, 'tags', b.tags,
            'built_at', b.built_at) order by b.built_at) as j
          from image_builds b where b.digest = sw.digest) builds on true
        ${stagingJoin(snap)}
        left join lateral (
          select jsonb_build_object('snapshot', s.external_id, 'observed_at', s.observed_at, 'config_hash', x.config_hash) as j
          from snapshots s join snapshot_workloads x on x.snapshot_id = s.id
            and x.namespace = sw.namespace and x.kind = sw.kind and x.name = sw.name and x.container = sw.container
          where s.environment = ${snap.environment} and s.observed_at >= last_dep.deployed_at and s.observed_at <= ${snap.observedAt}
          order by s.observed_at, s.id limit 1) base on true
        where sw.snapshot_id = ${snap.id} ${filterClause(filter)}
        order by sw.id`,
  );
  const otherDigests = await movedTags(db, snap);
  const retained = await retainedImages(db, rows.flatMap((r) => buildService(r) ?? []));
  return rows.map((r) => ({
    observed: {
      environment: snap.environment,
      isProduction: snap.isProduction,
      namespace: r.namespace,
      kind: r.kind,
      name: r.name,
      service: r.service,
      container: r.container,
      imageRef: r.image_ref,
      digest: r.digest,
      configHash: r.config_hash,
      managers: r.managers ?? [],
      lastAppliedBy: r.last_applied_by,
      snapshot: { id: snap.id, externalId: snap.externalId, observedAt: snap.observedAt },
    },
    recorded: {
      deployment: toDeployment(r.dep),
      lastDeployment: toDeployment(r.last_dep),
      builds: (r.builds ?? []).map(toBuild),
      staging: r.staging ? { source: r.staging.source, ref: r.staging.ref, at: new Date(r.staging.at) } : null,
      configBaseline: r.base ? { snapshotExternalId: r.base.snapshot, observedAt: new Date(r.base.observed_at), configHash: r.base.config_hash } : null,
      otherTagDigests: (otherDigests.get(r.image_ref) ?? []).filter((d) => d !== r.digest),
      retainedImages: retainedOf(buildService(r), retained),
    },
  }));
}

/** Where a production digest first ran in a pre-production environment (rank above development, not production). */
function stagingJoin(snap: SnapshotRef): SQL {
  if (!snap.isProduction) return sql``;
  return sql`left join lateral (
      select j from (
        (select jsonb_build_object('source', 'deployment', 'ref', d.external_id, 'at', d.deployed_at) as j, d.deployed_at as at
          from deployments d join environments e on e.name = d.environment and e.rank > 0 and not e.is_production
          where d.digest = sw.digest and d.status = 'success' and d.deployed_at <= ${snap.observedAt}
          order by d.deployed_at limit 1)
        union all
        (select jsonb_build_object('source', 'snapshot', 'ref', s.external_id, 'at', s.observed_at) as j, s.observed_at as at
          from snapshot_workloads x join snapshots s on s.id = x.snapshot_id
          join environments e on e.name = s.environment and e.rank > 0 and not e.is_production
          where x.digest = sw.digest and s.observed_at <= ${snap.observedAt}
          order by s.observed_at limit 1)
      ) first_staging order by at limit 1) stg on true`;
}

/**
 * Tagged references that resolved to more than one digest across this snapshot, the previous one
 * of its environment and the latest one of every other environment (bounded, whatever the history).
 */
async function movedTags(db: Queryable, snap: SnapshotRef): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ image_ref: string; digests: string[] }>(
    db,
    sql`with peers as (
          select ${snap.id}::bigint as id
          union select p.id from (select s.id from snapshots s where s.environment = ${snap.environment} and s.observed_at < ${snap.observedAt}
            order by s.observed_at desc, s.id desc limit 1) p
          union select l.id from (select distinct on (s.environment) s.id from snapshots s
            where s.environment <> ${snap.environment} and s.observed_at <= ${snap.observedAt}
            order by s.environment, s.observed_at desc, s.id desc) l)
        select sw.image_ref, array_agg(distinct sw.digest) as digests
        from snapshot_workloads sw join peers on peers.id = sw.snapshot_id
        where sw.digest is not null and position('@' in sw.image_ref) = 0
        group by sw.image_ref having count(distinct sw.digest) > 1`,
  );
  return new Map(rows.map((r) => [r.image_ref, r.digests]));
}

function toDeployment(j: DeploymentJson | null): DeploymentRef | null {
  if (j === null) return null;
  return { id: Number(j.id), externalId: j.external_id, deployedAt: new Date(j.deployed_at), imageRef: j.image_ref, digest: j.digest, actor: j.actor };
}

function toBuild(b: BuildJson): BuildRef {
  return {
    id: Number(b.id),
    repository: b.repository,
    service: b.service,
    builder: b.builder,
    provenance: b.provenance,
    pipelineProvider: b.pipeline_provider,
    pipelineRunId: b.pipeline_run_id,
    tags: b.tags,
    builtAt: new Date(b.built_at),
  };
}

/** The service a running build belongs to (the build's own, else the workload's); null without a build. */
function buildService(r: Row): string | null {
  if (!r.builds || r.builds.length === 0) return null;
  return r.builds.find((b) => b.service)?.service ?? r.service ?? r.name;
}

/** Tagged image builds kept per service: one grouped query for every service in the snapshot. */
async function retainedImages(db: Queryable, services: string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(services)];
  if (distinct.length === 0) return new Map();
  const rows = await queryRows<{ service: string; n: number | string }>(
    db,
    sql`select b.service, count(*) as n from image_builds b
        where b.service in (${listOf(distinct)}) and cardinality(b.tags) > 0 group by b.service`,
  );
  return new Map(rows.map((r) => [r.service, Number(r.n)]));
}

const retainedOf = (service: string | null, counts: Map<string, number>): number | null => (service === null ? null : (counts.get(service) ?? 0));
