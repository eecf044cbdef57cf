import { and, eq, gte, inArray, like } from "drizzle-orm";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { findings } from "@/db/schema";
import type { ControllerManager } from "@/db/schema";
import { EXEMPT_NAMESPACES } from "../admission/namespaces";
import { config } from "../config";
import { openFindings, resolveFindingsEach, type FindingInput, type Resolution } from "../findings/store";
import {
  attributionOf,
  evaluateControllerDrift,
  isPerson,
  workloadChanger,
  type Attribution,
  type AuditRecord,
  type ConfigComparison,
  type ControllerRecord,
  type DeploymentRef,
  type DriftOutcome,
  type ObservedController,
} from "../policy/drift";
import { peopleWritesBetween } from "./audit-records";
import type { SnapshotRef, WorkloadFilter } from "./gather";
import { controllerSubject, isControllerSubject } from "./subjects";
import type { OpenDriftKnown } from "./evaluate-snapshot";
import { withinMonths } from "../partitions/prune";
import { deploymentsAround, toDeployment } from "./deployments-around";

const CONTROLLER_RULES = ["drift.manual-apply", "drift.config-changed", "drift.unrecorded-workload"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

type ControllerRow = {
  namespace: string;
  kind: string;
  name: string;
  service: string;
  images: Record<string, string>;
  config_refs: { kind: "ConfigMap" | "Secret"; name: string }[];
  managers: ControllerManager[] | null;
  last_applied_images: Record<string, string> | null;
};
/** `replacedBy`: the service's first successful deployment after the snapshot, which replaced what it showed. */
type Judged = { c: ObservedController; r: ControllerRecord; outcome: DriftOutcome; subject: string; replacedBy: DeploymentRef | null };

/** What judging a snapshot's controllers reads: its controllers, their services' deployments, the configuration hashes. */
export interface ControllerReads {
  rows: ControllerRow[];
  deployments: Map<string, { last: DeploymentRef | null; next: DeploymentRef | null }>;
  configs: Awaited<ReturnType<typeof configComparisons>>;
}

/**
 * The reads `evaluateControllers` judges with. Only committed projections (the snapshot's own rows,
 * deployments, earlier snapshots' configuration), no findings: `detectDrift` takes them on the
 * aside connection while the snapshot's container evidence is read and judged.
 */
export async function readControllers(db: Queryable, snap: SnapshotRef, filter: WorkloadFilter): Promise<ControllerReads | null> {
  if (filter !== null && filter.services.length === 0) return null;
  const rows = await queryRows<ControllerRow>(
    db,
    sql`select namespace, kind, name, service, images, config_refs, managers, last_applied_images from snapshot_controllers
        where snapshot_id = ${snap.id} and ${withinMonths(sql`observed_at`, [snap.observedAt])} ${filter === null ? sql`` : sql`and service = any(${sql.param(filter.services)}::text[])`}
        order by namespace, kind, name`,
  );
  if (rows.length === 0) return null;
  const services = [...new Set(rows.map((r) => r.service))];
  const deployments = await deploymentsAroundSnapshot(db, snap, services);
  const configs = await configComparisons(db, snap, rows, deployments);
  return { rows, deployments, configs };
}

/**
 * Judges the controllers of one snapshot (all, or those of the services the filter names):
 * drift.manual-apply from their field managers and last-applied-configuration,
 * drift.config-changed from the hashes of the ConfigMaps and Secrets they read, and
 * drift.unrecorded-workload. One finding per rule and controller, whatever the number of
 * snapshots; resolved when a snapshot shows the controller compliant or gone, or a deployment
 * of its service replaced it. `reads`: `readControllers`' answer when taken elsewhere (read here otherwise).
 */
export async function evaluateControllers(
  db: Queryable,
  snap: SnapshotRef,
  filter: WorkloadFilter,
  latest: boolean,
  reads?: Promise<ControllerReads | null>,
  known?: OpenDriftKnown,
): Promise<{ failed: number; resolved: number }> {
  const read = await (reads ?? readControllers(db, snap, filter));
  if (read === null) return { failed: 0, resolved: 0 };
  const { rows, deployments, configs } = read;
  const failed = new Map<string, Judged>();
  const passed = new Map<string, string[]>();
  for (const row of rows) {
    const c = toObserved(snap, row);
    const d = deployments.get(row.service);
    const record: ControllerRecord = {
      lastDeployment: d?.last ?? null,
      configs: configs === null ? null : c.configRefs.map((ref) => configs(c, ref)),
      enforcedNamespace: enforced(c.namespace),
    };
    const subject = controllerSubject(c);
    for (const outcome of evaluateControllerDrift(c, record)) {
      if (outcome.result === "fail") failed.set(`${outcome.ruleId}\u0000${subject}`, { c, r: record, outcome, subject, replacedBy: d?.next ?? null });
      else if (outcome.result === "pass") passed.set(outcome.ruleId, [...(passed.get(outcome.ruleId) ?? []), subject]);
    }
  }
  const judged = await withoutSettled(db, snap, [...failed.values()]);
  const audit = await auditFor(db, snap, judged);
  await openFindings(db, judged.map((j) => toFinding(j, snap, attribute(j, audit))));
  known?.opened(snap.environment, judged.map((j) => ({ ruleId: j.outcome.ruleId, subjectKey: j.subject })));
  // Drift a later pipeline deployment replaced is recorded, then resolved at that deployment: replay
  // (which sees the deployment when it judges the snapshot) keeps the same history as live ingestion.
  // One statement resolves them all: the replaced failures, the passes and the controllers gone are
  // distinct findings (a rule fails or passes a controller; one gone is not in the snapshot).
  const resolutions: Resolution[] = [];
  for (const j of judged) {
    const d = j.replacedBy;
    if (d) resolutions.push({ ruleId: j.outcome.ruleId, subjectKey: j.subject, at: d.deployedAt, resolution: `Replaced by the pipeline's deployment ${d.externalId} of ${j.c.service} at ${d.deployedAt.toISOString()}.` });
  }
  for (const [ruleId, subjects] of passed) {
    for (const subjectKey of subjects) resolutions.push({ ruleId, subjectKey, at: snap.observedAt, resolution: `Snapshot ${snap.externalId} (${snap.observedAt.toISOString()}) shows the controller compliant.` });
  }
  if (latest && filter === null) resolutions.push(...(await vanished(db, snap, new Set(rows.map((r) => controllerSubject({ environment: snap.environment, ...r }))))));
  // What the evaluation knows is open (see OpenDriftKnown): a compliant controller whose rule has no
  // open finding, the common case, costs no statement (a burst of small snapshots paid ~3 ms each).
  const open = known ? await known.of(db, snap.environment) : null;
  const toResolve = open ? resolutions.filter((r) => open.get(r.ruleId)?.has(r.subjectKey)) : resolutions;
  const resolved = await resolveFindingsEach(db, toResolve);
  known?.resolved(snap.environment, toResolve);
  return { failed: judged.length, resolved };
}

/**
 * Failures a later deployment replaced, already recorded and resolved at or after this snapshot:
 * judging the same snapshot again (late evidence about the service) must not record them twice.
 */
async function withoutSettled(db: Queryable, snap: SnapshotRef, judged: Judged[]): Promise<Judged[]> {
  const replaced = judged.filter((j) => j.replacedBy !== null);
  if (replaced.length === 0) return judged;
  const rows = await db
    .select({ ruleId: findings.ruleId, subjectKey: findings.subjectKey })
    .from(findings)
    .where(and(eq(findings.status, "resolved"), inArray(findings.subjectKey, [...new Set(replaced.map((j) => j.subject))]), gte(findings.resolvedAt, snap.observedAt)));
  const settled = new Set(rows.map((r) => `${r.ruleId}\u0000${r.subjectKey}`));
  return judged.filter((j) => j.replacedBy === null || !settled.has(`${j.outcome.ruleId}\u0000${j.subject}`));
}

/** Judged unless the control plane's or Custody's own, or configured `off` for admission. */
function enforced(namespace: string): boolean {
  if (EXEMPT_NAMESPACES.has(namespace)) return false;
  return config().admission.namespaces[namespace]?.mode !== "off";
}

function toObserved(snap: SnapshotRef, r: ControllerRow): ObservedController {
  return {
    environment: snap.environment,
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    service: r.service,
    images: r.images,
    configRefs: r.config_refs,
    managers: r.managers ?? [],
    lastAppliedImages: r.last_applied_images,
    snapshot: { id: snap.id, externalId: snap.externalId, observedAt: snap.observedAt },
  };
}

/** Each service's last successful deployment in the environment up to the snapshot, and its first one after. */
async function deploymentsAroundSnapshot(db: Queryable, snap: SnapshotRef, services: string[]): Promise<Map<string, { last: DeploymentRef | null; next: DeploymentRef | null }>> {
  const around = await deploymentsAround(db, services.map((service) => ({ environment: snap.environment, service, at: snap.observedAt })), true);
  return new Map(services.map((service, i) => [service, { last: toDeployment(around[i]?.last ?? null), next: toDeployment(around[i]?.next ?? null) }]));
}

type Baseline = { snapshot_id: number | string; external_id: string; observed_at: Date | string };

/**
 * For each ask (a judged snapshot and one of its services' last-deployment times), the baseline of
 * its configuration: the first snapshot of the environment from that time up to the judged one that
 * carries configuration (a pods-only snapshot carries none). The first snapshot from each time is
 * found by an index probe, and whether it carries configuration is asked once per distinct
 * snapshot; only an ask whose first snapshot carries none searches the later ones. Asking it of
 * every candidate in the search cost a bitmap scan of the candidate's whole configuration (3,000
 * entries in the drift bench's cluster) per ask: ~120 ms for a 1,000-service snapshot, now a few.
 */
async function configBaselines(db: Queryable, asks: { snap: SnapshotRef; since: string }[]): Promise<(Baseline & { since: Date | string; for_id: number | string })[]> {
  if (asks.length === 0) return [];
  const hasConfig = (s: SQL) => sql`exists (select 1 from snapshot_configs c where c.snapshot_id = ${s}.id and c.observed_at = ${s}.observed_at)`;
  return queryRows<Baseline & { since: Date | string; for_id: number | string }>(
    db,
    sql`with t as (select * from unnest(${sql.param(asks.map((x) => x.snap.id))}::bigint[], ${sql.param(asks.map((x) => x.snap.environment))}::text[],
          ${sql.param(asks.map((x) => x.snap.observedAt.toISOString()))}::timestamptz[], ${sql.param(asks.map((x) => x.since))}::timestamptz[])
          as t(for_id, environment, observed_at, since)),
        f as materialized (
          select t.for_id, t.environment, t.observed_at as up_to, t.since, s.id, s.external_id, s.observed_at from t cross join lateral (
            select s.id, s.external_id, s.observed_at from snapshots s
            where s.environment = t.environment and s.observed_at >= t.since and s.observed_at <= t.observed_at
            order by s.observed_at, s.id limit 1) s),
        d as materialized (select d.id, ${hasConfig(sql`d`)} as has from (select distinct id, observed_at from f) d)
        select f.for_id, f.since, f.id as snapshot_id, f.external_id, f.observed_at from f join d on d.id = f.id where d.has
        union all
        select f.for_id, f.since, b.snapshot_id, b.external_id, b.observed_at from f join d on d.id = f.id and not d.has
        cross join lateral (select s.id as snapshot_id, s.external_id, s.observed_at from snapshots s
          where s.environment = f.environment and (s.observed_at, s.id) > (f.observed_at, f.id) and s.observed_at <= f.up_to and ${hasConfig(sql`s`)}
          order by s.observed_at, s.id limit 1) b`,
  );
}

/**
 * The hash of every ConfigMap and Secret now and in the first snapshot (with configuration in it)
 * taken at or after the last deployment of the reading controller's service. Null when this
 * snapshot carries no configuration at all (a pods-only snapshot): nothing to compare.
 */
async function configComparisons(
  db: Queryable,
  snap: SnapshotRef,
  rows: ControllerRow[],
  deployments: Map<string, { last: DeploymentRef | null }>,
): Promise<((c: ObservedController, ref: { kind: "ConfigMap" | "Secret"; name: string }) => ConfigComparison) | null> {
  const namespaces = [...new Set(rows.filter((r) => r.config_refs.length > 0).map((r) => r.namespace))];
  const current = await queryRows<{ namespace: string; kind: string; name: string; data_hash: string }>(
    db,
    sql`select namespace, kind, name, data_hash from snapshot_configs where snapshot_id = ${snap.id} and ${withinMonths(sql`observed_at`, [snap.observedAt])}`,
  );
  if (current.length === 0) return null;
  const since = [...new Set([...deployments.values()].flatMap((d) => (d.last ? [d.last.deployedAt.toISOString()] : [])))];
  const baselines = await configBaselines(db, since.map((at) => ({ snap, since: at })));
  const ids = [...new Set(baselines.map((b) => Number(b.snapshot_id)))].filter((id) => id !== snap.id);
  const old = ids.length === 0 || namespaces.length === 0 ? [] : await queryRows<{ snapshot_id: number | string; namespace: string; kind: string; name: string; data_hash: string }>(
    db,
    sql`select snapshot_id, namespace, kind, name, data_hash from snapshot_configs
        where snapshot_id = any(${sql.param(ids)}::bigint[]) and namespace = any(${sql.param(namespaces)}::text[])`,
  );
  return comparator(snap, current, deployments, baselines, baselineHashes(old));
}

type ConfigRow = { namespace: string; kind: string; name: string; data_hash: string };

const configKey = (ns: string, kind: string, name: string) => `${ns}/${kind}/${name}`;

/**
 * The baselines' configuration hashes by `snapshotId:namespace/kind/name`, built once for a group.
 * Built per snapshot, over the group's superset of rows, it was quadratic: for the ingest profile's
 * burst of 358 snapshots ~0.3 s of building keys and ~0.7 s of collecting them, in one stretch.
 */
function baselineHashes(old: (ConfigRow & { snapshot_id: number | string })[]): Map<string, string> {
  return new Map(old.map((c) => [`${Number(c.snapshot_id)}:${configKey(c.namespace, c.kind, c.name)}`, c.data_hash]));
}

/** Compares a controller's ConfigMaps and Secrets now and at its baseline, from what configComparisons read. */
function comparator(
  snap: SnapshotRef,
  current: ConfigRow[],
  deployments: Map<string, { last: DeploymentRef | null }>,
  baselines: (Baseline & { since: Date | string })[],
  then: Map<string, string>,
): (c: ObservedController, ref: { kind: "ConfigMap" | "Secret"; name: string }) => ConfigComparison {
  const now = new Map(current.map((c) => [configKey(c.namespace, c.kind, c.name), c.data_hash]));
  const baseOf = new Map(baselines.map((b) => [new Date(b.since).toISOString(), b]));
  return (c, ref) => {
    const last = deployments.get(c.service)?.last;
    const base = last ? baseOf.get(last.deployedAt.toISOString()) : undefined;
    const k = configKey(c.namespace, ref.kind, ref.name);
    const baseId = base ? Number(base.snapshot_id) : null;
    return {
      kind: ref.kind,
      name: ref.name,
      observedHash: now.get(k) ?? null,
      deployedHash: baseId === null ? null : baseId === snap.id ? (now.get(k) ?? null) : (then.get(`${baseId}:${k}`) ?? null),
      baseline: base ? { snapshotExternalId: base.external_id, observedAt: new Date(base.observed_at) } : null,
    };
  };
}

function toFinding(j: Judged, snap: SnapshotRef, who: Attribution | null): FindingInput {
  return {
    ruleId: j.outcome.ruleId,
    subjectKey: j.subject,
    environment: snap.environment,
    service: j.c.service,
    workload: `${j.c.namespace}/${j.c.kind}/${j.c.name}`,
    actor: who?.actor ?? null,
    summary: j.outcome.reason,
    evidence: { ...j.outcome.evidence, ...(who ? { attributedTo: who } : {}) },
    observedAt: snap.observedAt,
  };
}

/** People's writes to the failing controllers' namespaces from their last deployment (at most 30 days back). */
async function auditFor(db: Queryable, snap: SnapshotRef, judged: Judged[]): Promise<AuditRecord[]> {
  const wanted = judged.filter((j) => j.outcome.ruleId !== "drift.unrecorded-workload");
  if (wanted.length === 0) return [];
  const floor = snap.observedAt.getTime() - 30 * DAY_MS;
  const from = Math.max(floor, Math.min(...wanted.map((j) => (j.r.lastDeployment?.deployedAt ?? new Date(floor)).getTime() - DAY_MS)));
  return peopleWritesBetween(db, snap.environment, [...new Set(wanted.map((j) => j.c.namespace))], new Date(from), snap.observedAt);
}

function attribute(j: Judged, audit: AuditRecord[]): Attribution | null {
  if (j.outcome.ruleId === "drift.manual-apply") return workloadChanger(j.c, j.r, audit);
  if (j.outcome.ruleId !== "drift.config-changed") return null;
  // The latest person writing one of the changed ConfigMaps or Secrets after the baseline.
  const changed = new Set((j.r.configs ?? []).filter((x) => x.observedHash !== x.deployedHash).map((x) => `${x.kind === "Secret" ? "secrets" : "configmaps"}/${x.name}`));
  const from = j.r.lastDeployment?.deployedAt ?? null;
  const hit = audit
    .filter((a) => isPerson(a.username) && a.namespace === j.c.namespace && changed.has(`${a.resource}/${a.name}`) && (from === null || a.occurredAt >= from))
    .sort((x, y) => y.occurredAt.getTime() - x.occurredAt.getTime())[0];
  return hit ? attributionOf(hit) : null;
}

/** Controller findings of this environment whose controller the latest snapshot no longer shows: what to resolve. */
async function vanished(db: Queryable, snap: SnapshotRef, present: Set<string>): Promise<Resolution[]> {
  const open = await db
    .select({ ruleId: findings.ruleId, subjectKey: findings.subjectKey })
    .from(findings)
    .where(and(eq(findings.status, "open"), eq(findings.environment, snap.environment), inArray(findings.ruleId, [...CONTROLLER_RULES]), like(findings.subjectKey, "%:controller")));
  const resolution = `The controller no longer runs in ${snap.environment} (snapshot ${snap.externalId}).`;
  return CONTROLLER_RULES.flatMap((ruleId) =>
    open.filter((f) => f.ruleId === ruleId && isControllerSubject(f.subjectKey) && !present.has(f.subjectKey)).map((f) => ({ ruleId, subjectKey: f.subjectKey, at: snap.observedAt, resolution })),
  );
}

/**
 * readControllers for a group of whole snapshots (no filter), by snapshot id: the controllers, their
 * services' deployments around each snapshot, the configuration now and at the baselines, each in
 * one statement for the group. Null for a snapshot without controllers, as readControllers.
 */
export async function readControllersGroup(db: Queryable, snaps: SnapshotRef[]): Promise<Map<number, ControllerReads | null>> {
  const out = new Map<number, ControllerReads | null>(snaps.map((s) => [s.id, null]));
  if (snaps.length === 0) return out;
  const ids = snaps.map((s) => s.id);
  const rows = await queryRows<ControllerRow & { snapshot_id: number | string }>(
    db,
    sql`select snapshot_id, namespace, kind, name, service, images, config_refs, managers, last_applied_images from snapshot_controllers
        where snapshot_id = any(${sql.param(ids)}::bigint[]) and ${withinMonths(sql`observed_at`, snaps.map((x) => x.observedAt))}
        order by snapshot_id, namespace, kind, name`,
  );
  if (rows.length === 0) return out;
  const rowsOf = groupBy(rows, (r) => Number(r.snapshot_id));
  const withRows = snaps.filter((s) => rowsOf.has(s.id));
  const pairs = withRows.flatMap((snap) => [...new Set((rowsOf.get(snap.id) ?? []).map((r) => r.service))].map((service) => ({ snap, service })));
  const around = await deploymentsAround(db, pairs.map((p) => ({ environment: p.snap.environment, service: p.service, at: p.snap.observedAt })), true);
  const deploymentsOf = new Map<number, Map<string, { last: DeploymentRef | null; next: DeploymentRef | null }>>(withRows.map((s) => [s.id, new Map()]));
  pairs.forEach((p, i) => deploymentsOf.get(p.snap.id)?.set(p.service, { last: toDeployment(around[i]?.last ?? null), next: toDeployment(around[i]?.next ?? null) }));
  const current = groupBy(
    await queryRows<ConfigRow & { snapshot_id: number | string }>(
      db,
      sql`select snapshot_id, namespace, kind, name, data_hash from snapshot_configs
          where snapshot_id = any(${sql.param(withRows.map((s) => s.id))}::bigint[]) and ${withinMonths(sql`observed_at`, withRows.map((x) => x.observedAt))}`,
    ),
    (c) => Number(c.snapshot_id),
  );
  // Baselines of the snapshots with configuration: per snapshot, each distinct last-deployment time.
  const configured = withRows.filter((s) => current.has(s.id));
  const since = configured.flatMap((snap) =>
    [...new Set([...(deploymentsOf.get(snap.id)?.values() ?? [])].flatMap((d) => (d.last ? [d.last.deployedAt.toISOString()] : [])))].map((at) => ({ snap, at })),
  );
  const baselines = await configBaselines(db, since.map((x) => ({ snap: x.snap, since: x.at })));
  const baselinesOf = groupBy(baselines, (b) => Number(b.for_id));
  const oldIds = [...new Set(baselines.filter((b) => Number(b.snapshot_id) !== Number(b.for_id)).map((b) => Number(b.snapshot_id)))];
  const namespaces = [...new Set(configured.flatMap((s) => (rowsOf.get(s.id) ?? []).filter((r) => r.config_refs.length > 0).map((r) => r.namespace)))];
  // The baselines' configuration, read once for the group (a superset of each snapshot's: looked up by baseline and name).
  const old = oldIds.length === 0 || namespaces.length === 0 ? [] : await queryRows<ConfigRow & { snapshot_id: number | string }>(
    db,
    sql`select snapshot_id, namespace, kind, name, data_hash from snapshot_configs
        where snapshot_id = any(${sql.param(oldIds)}::bigint[]) and namespace = any(${sql.param(namespaces)}::text[])`,
  );
  const then = baselineHashes(old);
  for (const snap of withRows) {
    const deployments = deploymentsOf.get(snap.id) ?? new Map();
    const now = current.get(snap.id);
    const configs = now === undefined ? null : comparator(snap, now, deployments, baselinesOf.get(snap.id) ?? [], then);
    out.set(snap.id, { rows: rowsOf.get(snap.id) ?? [], deployments, configs });
  }
  return out;
}

function groupBy<T>(items: T[], keyOf: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
