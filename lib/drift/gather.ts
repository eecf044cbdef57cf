import { sql, type SQL } from "drizzle-orm";
import { queryRows, transactionWithoutJit, type Database, type Queryable } from "@/db/client";
import { retainedImagesSql } from "../evidence/retention";
import type { BuildRef, DeploymentRef, FieldManagerEntry, ObservedContainer, RecordedEvidence } from "../policy/drift";
import { withinMonths } from "../partitions/prune";
import { deploymentJson, deploymentsAround, toDeployment, type DeploymentJson } from "./deployments-around";

/** Memory for each sort and hash of the evidence statements (per node, for one statement at a time). */
export const EVIDENCE_WORK_MEM = "64MB";

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
  id: number | string;
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
  /** Filled from lastDeploymentsOf after the query: one object per service, shared by its containers. */
  last_dep?: DeploymentRef | null;
  /** Filled from buildsOf after the query. */
  builds?: BuildJson[] | null;
  staging: { source: "deployment" | "snapshot"; ref: string; at: string } | null;
  /** Filled from baselinesOf after the query. */
  base?: Baseline | null;
};
type Baseline = { snapshot: string; observed_at: Date | string; config_hash: string | null };
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

/**
 * Every container of the snapshot with its recorded deployment, the service's last deployment,
 * its builds, its staging history, its config baseline, the tags moved under it and the tagged
 * images retained for its service: six set-based statements whatever the snapshot's size, each
 * step an index probe per distinct digest, service or workload, not a scan.
 *
 * With `aside` (another connection of a pooled database), the services' last deployments, the
 * config baselines and the builds are read there while the main statement runs in `db`'s
 * transaction: Postgres works on both at once (a 10,000-container snapshot's gather went from
 * ~320 ms to ~200 ms). They read only committed evidence (the snapshot was stored by an earlier,
 * committed transaction), and under READ COMMITTED each statement of one transaction sees its
 * own snapshot of the data anyway, so reading them aside gives up no consistency. Pass `aside`
 * only when `db`'s transaction has not itself written the snapshot or the evidence judged (the
 * queue's evaluator; not replay, which stores and judges in one transaction).
 */
export async function gatherSnapshotEvidence(
  db: Queryable,
  snap: SnapshotRef,
  filter: WorkloadFilter,
  retainedCap: number | null = null,
  aside: Database | null = null,
): Promise<{ observed: ObservedContainer; recorded: RecordedEvidence }[]> {
  const recorded = async (q: Queryable) => {
    const lastDeployments = await lastDeploymentsOf(q, snap, filter);
    return { lastDeployments, baselines: await baselinesOf(q, snap, filter, lastDeployments), builds: await buildsOf(q, snap, filter) };
  };
  const [rows, { lastDeployments, baselines, builds }] = await withoutJit(db, async () =>
    aside
      ? Promise.all([queryRows<Row>(db, snapshotEvidenceQuery(snap, filter)), transactionWithoutJit(aside, async (q) => (await q.execute(sql`select set_config('work_mem', ${EVIDENCE_WORK_MEM}, true)`), recorded(q)))])
      : ([await queryRows<Row>(db, snapshotEvidenceQuery(snap, filter)), await recorded(db)] as const),
  );
  const lastRefs = new Map([...lastDeployments].map(([service, j]) => [service, toDeployment(j)]));
  for (const r of rows) {
    r.builds = r.digest === null ? null : (builds.get(r.digest) ?? null);
    r.last_dep = r.service === null ? null : (lastRefs.get(r.service) ?? null);
    r.base = baselines.get(Number(r.id)) ?? null;
  }
  const otherDigests = (await movedTagsOf(db, [snap])).get(snap.id) ?? new Map<string, string[]>();
  const retained = await retainedImages(db, rows.flatMap((r) => buildService(r) ?? []), retainedCap);
  return rows.map((r) => toItem(snap, r, otherDigests, retained));
}

/**
 * Postgres plans a 10,000-container snapshot's joins above the JIT thresholds and then spent
 * ~0.9 s compiling them, several times what executing them takes: these statements run with JIT
 * off. Their sorts and hashes of 10,000 rows (the final sort alone ~8 MB) also spilled to disk
 * under the default 4 MB work_mem; they get EVIDENCE_WORK_MEM. Both settings are put back after them.
 */
export async function withoutJit<T>(db: Queryable, run: () => Promise<T>): Promise<T> {
  const [before] = await queryRows<{ jit: string; work_mem: string }>(
    db,
    sql`select current_setting('jit') as jit, current_setting('work_mem') as work_mem, set_config('jit', 'off', true) as off, set_config('work_mem', ${EVIDENCE_WORK_MEM}, true) as mem`,
  );
  // On failure the transaction is aborted: restoring the settings would only mask the error.
  const result = await run();
  await db.execute(sql`select set_config('jit', ${before?.jit ?? "on"}, true), set_config('work_mem', ${before?.work_mem ?? "4MB"}, true)`);
  return result;
}

/**
 * The statement behind gatherSnapshotEvidence (exported for the benchmark's EXPLAIN). Facts about
 * a digest (its deployment here, where it ran in staging) are read once per distinct digest and
 * the service's last deployment once per service, set-based and hash-joined: as lateral probes
 * they were re-run, each with its own sort, for every one of 10,000 containers. The services'
 * last deployments and the config baselines are read apart (lastDeploymentsOf, baselinesOf).
 *
 * `sw` finds the snapshot's workloads by its id alone, not narrowed to its month (withinMonths), so
 * every month's partition is planned and probed (~10 ms more planning than narrowed, at 125
 * months). Narrowed, a month whose partition has no statistics yet (its first snapshots, before
 * autovacuum analyses it) was estimated at one row: Postgres then joined 10,000 containers to
 * 10,000 digests in nested loops, 14.6 s for this statement instead of ~0.6 s (session 10,
 * scripts/bench/drift-profile.ts).
 */
export function snapshotEvidenceQuery(snap: SnapshotRef, filter: WorkloadFilter): SQL {
  const digests = sql`array(select distinct digest from sw where digest is not null)`;
  return sql`with sw as materialized (
          select * from snapshot_workloads sw where sw.snapshot_id = ${snap.id} ${filterClause(filter)}),
        dd as materialized (
          select d.id, d.external_id, d.environment, d.deployed_at, d.image_ref, d.digest, d.actor from deployments d
          where d.digest = any(${digests}) and d.status = 'success' and d.deployed_at <= ${snap.observedAt}),
        dep as (
          select distinct on (d.digest) d.digest, ${deploymentJson("d")} as j from dd d where d.environment = ${snap.environment}
          order by d.digest, d.deployed_at desc, d.id desc)
        ${stagingCte(snap, digests)}
        select sw.id, sw.namespace, sw.kind, sw.name, sw.service, sw.container, sw.image_ref, sw.digest, sw.config_hash, sw.managers, sw.last_applied_by,
          dep.j as dep, ${snap.isProduction ? sql`stg.j` : sql`null`} as staging
        from sw
        left join dep on dep.digest = sw.digest
        ${snap.isProduction ? sql`left join stg on stg.digest = sw.digest` : sql``}
        order by sw.id`;
}

function toItem(snap: SnapshotRef, r: Row, otherDigests: Map<string, string[]>, retained: Map<string, number>): { observed: ObservedContainer; recorded: RecordedEvidence } {
  return {
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
      lastDeployment: r.last_dep ?? null,
      builds: (r.builds ?? []).map(toBuild),
      staging: r.staging ? { source: r.staging.source, ref: r.staging.ref, at: new Date(r.staging.at) } : null,
      configBaseline: r.base ? { snapshotExternalId: r.base.snapshot, observedAt: new Date(r.base.observed_at), configHash: r.base.config_hash } : null,
      otherTagDigests: (otherDigests.get(r.image_ref) ?? []).filter((d) => d !== r.digest),
      retainedImages: retainedOf(buildService(r), retained),
    },
  };
}

/**
 * Where each production digest first ran in a pre-production environment (rank above
 * development, not production): its earliest successful deployment or snapshot there, a
 * deployment first when both are at the same instant.
 */
function stagingCte(snap: SnapshotRef, digests: SQL): SQL {
  // `dd`: the successful deployments of the snapshot's digests up to it, read once for both uses.
  if (!snap.isProduction) return sql``;
  return sql`, stg as materialized (
      select distinct on (u.digest) u.digest, u.j from (
        select d.digest, json_build_object('source', 'deployment', 'ref', d.external_id, 'at', d.deployed_at) as j, d.deployed_at as at, 0 as pri, d.id
          from dd d join environments e on e.name = d.environment and e.rank > 0 and not e.is_production
        union all
        select x.digest, json_build_object('source', 'snapshot', 'ref', s.external_id, 'at', s.observed_at), s.observed_at, 1, s.id
          from snapshot_workloads x join snapshots s on s.id = x.snapshot_id and s.observed_at = x.observed_at
          join environments e on e.name = s.environment and e.rank > 0 and not e.is_production
          where x.digest = any(${digests}) and s.observed_at <= ${snap.observedAt}
      ) u order by u.digest, u.at, u.pri, u.id)`;
}

/** Each service's last successful deployment in the environment at the snapshot: one index probe per service. */
const lastDeploymentSql = (snap: SnapshotRef, services: SQL): SQL =>
  sql`select s.service, l.j, l.deployed_at from (${services}) s cross join lateral (
        select ${deploymentJson("d")} as j, d.deployed_at from deployments d
        where d.service = s.service and d.environment = ${snap.environment} and d.status = 'success' and d.deployed_at <= ${snap.observedAt}
        order by d.deployed_at desc, d.id desc limit 1) l`;

/** The last deployment of every service in the snapshot, sent once per service rather than once per container. */
async function lastDeploymentsOf(db: Queryable, snap: SnapshotRef, filter: WorkloadFilter): Promise<Map<string, DeploymentJson>> {
  const services = sql`select distinct sw.service from snapshot_workloads sw where sw.snapshot_id = ${snap.id} and ${withinMonths(sql`sw.observed_at`, [snap.observedAt])} and sw.service is not null ${filterClause(filter)}`;
  const rows = await queryRows<{ service: string; j: DeploymentJson }>(db, lastDeploymentSql(snap, services));
  return new Map(rows.map((r) => [r.service, r.j]));
}

/**
 * Each container's config baseline: the first snapshot of the environment, from its service's last
 * deployment up to this snapshot, that shows the same container (one probe of the workload index
 * per container), by snapshot_workloads id. Containers without a last deployment have none.
 */
async function baselinesOf(db: Queryable, snap: SnapshotRef, filter: WorkloadFilter, lastDeployments: Map<string, DeploymentJson>): Promise<Map<number, Baseline>> {
  if (lastDeployments.size === 0) return new Map();
  const services = [...lastDeployments.keys()];
  const since = services.map((s) => lastDeployments.get(s)?.deployed_at ?? null);
  const rows = await queryRows<Baseline & { id: number | string }>(
    db,
    sql`select sw.id, ${baselineColumns}
        from unnest(${sql.param(services)}::text[], ${sql.param(since)}::timestamptz[]) as ld(service, deployed_at)
        ${baselineJoins(sql`${snap.environment}`, sql`${snap.observedAt}`, sql`join snapshot_workloads sw on sw.service = ld.service and sw.snapshot_id = ${snap.id} ${filterClause(filter)}`)}`,
  );
  return new Map(rows.map((r) => [Number(r.id), r]));
}

/**
 * A container's configuration baseline: the first snapshot of its environment, from its service's
 * last deployment (ld.deployed_at) up to the snapshot judged, that lists the container, with the
 * config hash it had there. Nearly always that is the first snapshot after the deployment, so that
 * one is found once per service (fs) and the container looked up in it (fx); only a container it
 * does not list is searched for in the later snapshots (base). The one lateral search this replaces
 * probed every snapshot since the deployment for each container (Postgres sorted them all to take
 * the first): 10,000 containers times the snapshots since each service's last deployment, one every
 * few minutes in a real cluster, so it grew with the days since the last release (session 10).
 * `rest` joins the judged containers (sw) to ld, by the snapshot's id alone (see
 * snapshotEvidenceQuery: narrowed by month, an unanalysed partition was estimated at one row); the
 * probes of other snapshots' containers give their month (x.observed_at), pruned at run time.
 */
function baselineJoins(environment: SQL, upTo: SQL, rest: SQL): SQL {
  return sql`cross join lateral (
      select s.id, s.external_id, s.observed_at from snapshots s
      where s.environment = ${environment} and s.observed_at >= ld.deployed_at and s.observed_at <= ${upTo}
      order by s.observed_at, s.id limit 1) fs
    ${rest}
    left join lateral (
      select true as found, x.config_hash from snapshot_workloads x
      where x.snapshot_id = fs.id and x.observed_at = fs.observed_at and x.namespace = sw.namespace and x.kind = sw.kind and x.name = sw.name and x.container = sw.container
      limit 1) fx on true
    left join lateral (
      select s.external_id as snapshot, s.observed_at, x.config_hash
      from snapshots s join snapshot_workloads x on x.snapshot_id = s.id and x.observed_at = s.observed_at
        and x.namespace = sw.namespace and x.kind = sw.kind and x.name = sw.name and x.container = sw.container
      where fx.found is null and s.environment = ${environment} and (s.observed_at, s.id) > (fs.observed_at, fs.id) and s.observed_at <= ${upTo}
      order by s.observed_at, s.id limit 1) base on true
    where fx.found or base.snapshot is not null`;
}

const baselineColumns = sql`case when fx.found then fs.external_id else base.snapshot end as snapshot,
  case when fx.found then fs.observed_at else base.observed_at end as observed_at,
  case when fx.found then fx.config_hash else base.config_hash end as config_hash`;

/**
 * Of a build's provenance (`b.provenance`), the parts drift reads: the builder's id, at the root or
 * under `predicate`, as `builder.id` or `runDetails.builder.id` (provenanceBuilderId), and nothing
 * else. A SLSA statement is kilobytes (its build definition, resolved dependencies, metadata), and
 * judging a 10,000-container snapshot reads the builds of ~10,000 digests: the whole documents were
 * sent and parsed for one field each. A key the document lacks, or whose value is not an object,
 * comes out absent or null, which provenanceBuilderId reads as it read the whole document.
 */
const provenanceRead = sql`case when b.provenance is null then null else jsonb_strip_nulls(jsonb_build_object(
    'builder', b.provenance->'builder', 'runDetails', jsonb_build_object('builder', b.provenance->'runDetails'->'builder'),
    'predicate', jsonb_build_object('builder', b.provenance->'predicate'->'builder',
      'runDetails', jsonb_build_object('builder', b.provenance->'predicate'->'runDetails'->'builder')))) end`;

/**
 * The builds of the digests `digests` (an SQL array), oldest first, grouped by digest here: a
 * json_agg(... order by built_at) per digest in the evidence statement cost a sort for each of
 * 10,000 digests. For one snapshot (buildsOf) and for a group (gatherGroupEvidence).
 */
async function buildsOfDigests(db: Queryable, digests: SQL): Promise<Map<string, BuildJson[]>> {
  const rows = await queryRows<{ digest: string; j: BuildJson }>(
    db,
    sql`select b.digest, json_build_object('id', b.id, 'repository', b.repository, 'service', b.service, 'builder', b.builder,
          'provenance', ${provenanceRead}, 'pipeline_provider', b.pipeline_provider, 'pipeline_run_id', b.pipeline_run_id, 'tags', b.tags,
          'built_at', b.built_at) as j
        from image_builds b
        where b.digest = any(${digests})
        order by b.digest, b.built_at, b.id`,
  );
  const out = new Map<string, BuildJson[]>();
  for (const r of rows) {
    const list = out.get(r.digest);
    if (list) list.push(r.j);
    else out.set(r.digest, [r.j]);
  }
  return out;
}

/** Builds of the snapshot's digests (those the filter keeps). */
const buildsOf = (db: Queryable, snap: SnapshotRef, filter: WorkloadFilter): Promise<Map<string, BuildJson[]>> =>
  buildsOfDigests(
    db,
    sql`array(select distinct sw.digest from snapshot_workloads sw where sw.snapshot_id = ${snap.id} and ${withinMonths(sql`sw.observed_at`, [snap.observedAt])} and sw.digest is not null ${filterClause(filter)})`,
  );

/**
 * Tagged references that resolved to more than one digest across each snapshot, the previous one
 * of its environment and the latest one of every other environment up to it (bounded, whatever the
 * history), by snapshot id. The peers are found by one index probe per snapshot and environment
 * (they were picked by DISTINCT ON over every snapshot of the other environments, per snapshot: a
 * scan of the whole history, 1.5 s for a batch of 358 small snapshots).
 */
async function movedTagsOf(db: Queryable, snaps: SnapshotRef[]): Promise<Map<number, Map<string, string[]>>> {
  const out = new Map<number, Map<string, string[]>>();
  if (snaps.length === 0) return out;
  // One statement (a webhook's late evidence judges each environment's latest snapshot through
  // here: a round trip more per snapshot showed in the webhook's rate). Each peer's containers are
  // probed by (id, time), the partition key: from its own month only, pruned as each is probed.
  // `offset 0` keeps the probe per peer: pulled up into a join, Postgres hash-joined the peers with
  // a sequential scan of every month's containers.
  const rows = await queryRows<{ q: number | string; image_ref: string; digests: string[] }>(
    db,
    sql`with q as materialized (select * from ${snapshotsSql(snaps)}),
        pr as (
          select q.id as q, q.id as peer, q.observed_at as at from q
          union all
          select q.id, p.id, p.observed_at from q cross join lateral (
            select s.id, s.observed_at from snapshots s where s.environment = q.environment and s.observed_at < q.observed_at
            order by s.observed_at desc, s.id desc limit 1) p
          union all
          select q.id, p.id, p.observed_at from q join environments e on e.name <> q.environment cross join lateral (
            select s.id, s.observed_at from snapshots s where s.environment = e.name and s.observed_at <= q.observed_at
            order by s.observed_at desc, s.id desc limit 1) p)
        select pr.q, sw.image_ref, array_agg(distinct sw.digest) as digests
        from pr cross join lateral (
          select sw.image_ref, sw.digest from snapshot_workloads sw
          where sw.snapshot_id = pr.peer and sw.observed_at = pr.at and sw.digest is not null and position('@' in sw.image_ref) = 0
          offset 0) sw
        group by pr.q, sw.image_ref having count(distinct sw.digest) > 1`,
  );
  for (const r of rows) {
    const id = Number(r.q);
    out.set(id, (out.get(id) ?? new Map<string, string[]>()).set(r.image_ref, r.digests));
  }
  return out;
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

/**
 * Tagged image builds kept per service, counted up to `cap` (the policy threshold: beyond it the
 * rule's answer cannot change), one index-only probe per service of the snapshot.
 */
async function retainedImages(db: Queryable, services: string[], cap: number | null): Promise<Map<string, number>> {
  const distinct = [...new Set(services)];
  if (distinct.length === 0) return new Map();
  const rows = await queryRows<{ service: string; n: number | string }>(
    db,
    sql`select s.service, ${retainedImagesSql(sql`s.service`, cap)} as n
        from unnest(${sql.param(distinct)}::text[]) s(service)`,
  );
  return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.service, Number(r.n)]));
}

const retainedOf = (service: string | null, counts: Map<string, number>): number | null => (service === null ? null : (counts.get(service) ?? 0));

/** A group of snapshots as a relation `q(id, environment, observed_at, is_production)`, one row each. */
function snapshotsSql(snaps: SnapshotRef[]): SQL {
  return sql`unnest(${sql.param(snaps.map((s) => s.id))}::bigint[], ${sql.param(snaps.map((s) => s.environment))}::text[],
      ${sql.param(snaps.map((s) => s.observedAt.toISOString()))}::timestamptz[], ${sql.param(snaps.map((s) => s.isProduction))}::boolean[])
      as q(id, environment, observed_at, is_production)`;
}

/**
 * gatherSnapshotEvidence for a group of whole snapshots (no filter) at once: the same facts, each
 * read by one statement for the whole group (arrays and lateral probes per snapshot and digest or
 * service) instead of six statements per snapshot, so a batch of small snapshots costs a handful
 * of round trips. By snapshot id. The evaluator judges the snapshots one by one from these
 * (detectDrift): nothing it reads here is written by judging (projections only, no findings).
 */
export async function gatherGroupEvidence(
  db: Queryable,
  snaps: SnapshotRef[],
  retainedCap: number | null = null,
): Promise<Map<number, { observed: ObservedContainer; recorded: RecordedEvidence }[]>> {
  const out = new Map<number, { observed: ObservedContainer; recorded: RecordedEvidence }[]>(snaps.map((s) => [s.id, []]));
  if (snaps.length === 0) return out;
  const ids = sql.param(snaps.map((s) => s.id));
  const { rows, lastDeployments, baselines, builds, moved } = await withoutJit(db, async () => {
    const rows = await queryRows<Row & { snapshot_id: number | string }>(db, groupEvidenceQuery(snaps));
    // Each snapshot's services, from its containers just read: their last deployments up to it.
    const snapById = new Map(snaps.map((s) => [s.id, s]));
    const asks = [...new Map(rows.flatMap((r) => (r.service === null ? [] : [[`${Number(r.snapshot_id)}\u0000${r.service}`, { id: Number(r.snapshot_id), service: r.service }] as const]))).values()]
      .flatMap(({ id, service }) => {
        const snap = snapById.get(id);
        return snap ? [{ snapshot_id: id, environment: snap.environment, service, at: snap.observedAt }] : [];
      });
    const around = await deploymentsAround(db, asks, false);
    const lastDeployments = asks.flatMap((a, i) => {
      const j = around[i]?.last;
      return j ? [{ snapshot_id: a.snapshot_id, service: a.service, j }] : [];
    });
    const snapOf = new Map(snaps.map((s) => [s.id, s]));
    const baselines =
      lastDeployments.length === 0
        ? []
        : await queryRows<Baseline & { id: number | string }>(
            db,
            sql`select sw.id, ${baselineColumns}
                from unnest(${sql.param(lastDeployments.map((l) => Number(l.snapshot_id)))}::bigint[], ${sql.param(lastDeployments.map((l) => l.service))}::text[],
                  ${sql.param(lastDeployments.map((l) => l.j.deployed_at))}::timestamptz[],
                  ${sql.param(lastDeployments.map((l) => snapOf.get(Number(l.snapshot_id))?.environment ?? ""))}::text[],
                  ${sql.param(lastDeployments.map((l) => snapOf.get(Number(l.snapshot_id))?.observedAt.toISOString() ?? null))}::timestamptz[])
                  as ld(snapshot_id, service, deployed_at, environment, observed_at)
                ${baselineJoins(sql`ld.environment`, sql`ld.observed_at`, sql`join snapshot_workloads sw on sw.snapshot_id = ld.snapshot_id and sw.service = ld.service`)}`,
          );
    const builds = await buildsOfDigests(
      db,
      sql`array(select distinct sw.digest from snapshot_workloads sw where sw.snapshot_id = any(${ids}::bigint[]) and ${withinMonths(sql`sw.observed_at`, snaps.map((x) => x.observedAt))} and sw.digest is not null)`,
    );
    const moved = await movedTagsOf(db, snaps);
    return { rows, lastDeployments, baselines, builds, moved };
  });
  const lastOf = new Map(lastDeployments.map((l) => [`${Number(l.snapshot_id)}\u0000${l.service}`, toDeployment(l.j)]));
  const baseOf = new Map(baselines.map((b) => [Number(b.id), b]));
  for (const r of rows) {
    r.builds = r.digest === null ? null : (builds.get(r.digest) ?? null);
    r.last_dep = r.service === null ? null : (lastOf.get(`${Number(r.snapshot_id)}\u0000${r.service}`) ?? null);
    r.base = baseOf.get(Number(r.id)) ?? null;
  }
  const retained = await retainedImages(db, rows.flatMap((r) => buildService(r) ?? []), retainedCap);
  const snapOf = new Map(snaps.map((s) => [s.id, s]));
  for (const r of rows) {
    const snap = snapOf.get(Number(r.snapshot_id));
    if (snap) out.get(snap.id)?.push(toItem(snap, r, moved.get(snap.id) ?? new Map(), retained));
  }
  return out;
}

/**
 * snapshotEvidenceQuery for a group of snapshots: each snapshot's containers with the recorded
 * deployment of their digest in its environment up to it (one lateral probe per snapshot and
 * distinct digest), and for production snapshots where the digest first ran before production.
 * Its `sw` is not narrowed to the snapshots' months either, for the reason given there.
 */
function groupEvidenceQuery(snaps: SnapshotRef[]): SQL {
  // Where a digest first ran before production is the earliest such record of all, read once per
  // digest (not per snapshot and digest): a snapshot sees it when it is no later than the snapshot
  // (the earliest record up to the snapshot is the earliest of all, or there is none).
  const production = sql`array(select distinct digest from sd where q_production)`;
  return sql`with sw as materialized (
          select sw.id, sw.snapshot_id, sw.namespace, sw.kind, sw.name, sw.service, sw.container, sw.image_ref, sw.digest, sw.config_hash,
            sw.managers, sw.last_applied_by, q.environment as q_environment, q.observed_at as q_observed_at, q.is_production as q_production
          from ${snapshotsSql(snaps)} join snapshot_workloads sw on sw.snapshot_id = q.id),
        sd as materialized (
          select distinct snapshot_id, q_environment, q_observed_at, q_production, digest from sw where digest is not null),
        dep as (
          select sd.snapshot_id, sd.digest, l.j from sd cross join lateral (
            select ${deploymentJson("d")} as j from deployments d
            where d.digest = sd.digest and d.environment = sd.q_environment and d.status = 'success' and d.deployed_at <= sd.q_observed_at
            order by d.deployed_at desc, d.id desc limit 1) l),
        stg as materialized (
          select distinct on (u.digest) u.digest, u.j, u.at from (
            select d.digest, json_build_object('source', 'deployment', 'ref', d.external_id, 'at', d.deployed_at) as j, d.deployed_at as at, 0 as pri, d.id
              from deployments d join environments e on e.name = d.environment and e.rank > 0 and not e.is_production
              where d.digest = any(${production}) and d.status = 'success'
            union all
            select x.digest, json_build_object('source', 'snapshot', 'ref', s.external_id, 'at', s.observed_at), s.observed_at, 1, s.id
              from snapshot_workloads x join snapshots s on s.id = x.snapshot_id and s.observed_at = x.observed_at
              join environments e on e.name = s.environment and e.rank > 0 and not e.is_production
              where x.digest = any(${production})
          ) u order by u.digest, u.at, u.pri, u.id)
        select sw.snapshot_id, sw.id, sw.namespace, sw.kind, sw.name, sw.service, sw.container, sw.image_ref, sw.digest, sw.config_hash, sw.managers,
          sw.last_applied_by, dep.j as dep, stg.j as staging
        from sw
        left join dep on dep.snapshot_id = sw.snapshot_id and dep.digest = sw.digest
        left join stg on sw.q_production and stg.digest = sw.digest and stg.at <= sw.q_observed_at
        order by sw.snapshot_id, sw.id`;
}
