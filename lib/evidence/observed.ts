import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { severities, type Severity } from "../policy/rule-types";
import { environmentsOverview, type RunningService } from "./environments";
import { withinMonths } from "../partitions/prune";

/**
 * What an environment runs, observed first: per workload, the digest the latest snapshot saw beside
 * the deployment Custody recorded, whether they agree, and what is open against it. The one read
 * model behind the environments list, the environment page, the promotion matrix and the overview.
 */

/** How the observed digest compares with the recorded deployment. */
export type ObservedVerdict =
  /** The snapshot saw the recorded digest in every container. */
  | "matches"
  /** The snapshot saw another digest than the recorded deployment's. */
  | "drift"
  /** The snapshot saw a workload no deployment was ever recorded for. */
  | "unrecorded"
  /** The snapshot saw the workload by tag only, so its digest cannot be compared. */
  | "digest-unknown"
  /** A deployment was recorded but the latest snapshot did not see the workload. */
  | "not-observed"
  /** No snapshot of the environment was taken (as of the moment asked). */
  | "no-snapshot";

export interface ObservedContainer {
  namespace: string;
  kind: string;
  name: string;
  container: string;
  imageRef: string;
  digest: string | null;
  lastAppliedBy: string | null;
}

export interface ObservedService {
  service: string;
  verdict: ObservedVerdict;
  /** The digest the snapshot saw (the first container's, when several run one service). */
  observedDigest: string | null;
  observed: ObservedContainer[];
  recorded: RunningService | null;
  openFindings: number;
  openDriftFindings: number;
  worstSeverity: Severity | null;
  incidents: { id: number; title: string }[];
}

export interface ObservedEnvironment {
  name: string;
  rank: number;
  isProduction: boolean;
  at: string;
  snapshot: { id: number; observedAt: string; ageSeconds: number } | null;
  lastDeploymentAt: string | null;
  services: ObservedService[];
  /** Open findings of this environment (the sum over services plus those tied to no service). */
  openFindings: number;
  openIncidents: number;
  /** Services whose observed state disagrees with the record (drift, unrecorded, not observed). */
  wrong: number;
}

export interface OpenFindingTotals {
  total: number;
  byEnvironment: Record<string, number>;
  /** Findings about a service as a whole (e.g. registry retention), in no environment. */
  withoutEnvironment: number;
}

const worst = (a: Severity | null, b: string | null): Severity | null => {
  const rank = (s: string | null) => (s ? severities.indexOf(s as Severity) : 99);
  return rank(b) >= 0 && rank(b) < rank(a) ? (b as Severity) : a;
};

/** Open findings, counted once: per environment and those tied to none. Every panel shows these figures. */
export async function openFindingTotals(db: Queryable): Promise<OpenFindingTotals> {
  const rows = await queryRows<{ environment: string | null; n: string | number }>(
    db,
    sql`select environment, count(*) as n from findings where status = 'open' group by environment`,
  );
  const byEnvironment: Record<string, number> = {};
  let withoutEnvironment = 0;
  for (const r of rows) {
    if (r.environment === null) withoutEnvironment += Number(r.n);
    else byEnvironment[r.environment] = Number(r.n);
  }
  return { total: rows.reduce((n, r) => n + Number(r.n), 0), byEnvironment, withoutEnvironment };
}

export function verdictOf(recorded: RunningService | null, observed: ObservedContainer[], snapshotTaken: boolean): ObservedVerdict {
  if (!snapshotTaken) return "no-snapshot";
  if (observed.length === 0) return "not-observed";
  if (!recorded) return "unrecorded";
  if (observed.some((o) => o.digest === null)) return "digest-unknown";
  return observed.every((o) => o.digest === recorded.digest) ? "matches" : "drift";
}

/** Every environment, observed state first, as of `at` (default now). */
export async function observedEnvironments(db: Queryable, at: Date = new Date()): Promise<ObservedEnvironment[]> {
  const recorded = await environmentsOverview(db, at);
  const snaps = await queryRows<{ environment: string; id: number | string; observed_at: Date | string }>(
    db,
    sql`select e.name as environment, s.id, s.observed_at from environments e
        cross join lateral (select id, observed_at from snapshots
          where environment = e.name and observed_at <= ${at} order by observed_at desc, id desc limit 1) s`,
  );
  const snapIds = snaps.map((s) => Number(s.id));
  const workloads =
    snapIds.length === 0
      ? []
      : await queryRows<{ snapshot_id: number | string; namespace: string; kind: string; name: string; service: string | null; container: string; image_ref: string; digest: string | null; last_applied_by: string | null }>(
          db,
          sql`select snapshot_id, namespace, kind, name, service, container, image_ref, digest, last_applied_by
              from snapshot_workloads where snapshot_id in ${snapIds} and ${withinMonths(sql`observed_at`, snaps.map((s) => new Date(s.observed_at)))}
              order by namespace, kind, name, container`,
        );
  // Open findings per environment and service, with their worst severity; the null service counts too.
  const findingRows = await queryRows<{ environment: string; service: string | null; severity: string; drift: boolean; n: string | number }>(
    db,
    sql`select environment, service, severity, rule_id like 'drift.%' as drift, count(*) as n
        from findings where status = 'open' and environment is not null
        group by environment, service, severity, rule_id like 'drift.%'`,
  );
  // Open incidents per environment, and the services their linked findings name.
  const incidentRows = await queryRows<{ id: number | string; title: string; environment: string | null; service: string | null }>(
    db,
    sql`select distinct i.id, i.title, i.environment, f.service
        from incidents i
        left join incident_findings l on l.incident_id = i.id
        left join findings f on f.rule_id = l.rule_id and f.subject_key = l.subject_key
        where i.status <> 'closed' and i.opened_at <= ${at}`,
  );
  const now = at.getTime();
  return recorded.map((env) => {
    const snap = snaps.find((s) => s.environment === env.name);
    const snapId = snap ? Number(snap.id) : null;
    const seen = workloads.filter((w) => Number(w.snapshot_id) === snapId);
    const names = [...new Set([...env.services.map((s) => s.service), ...seen.map((w) => w.service ?? w.name)])].sort();
    const services = names.map((service): ObservedService => {
      const rec = env.services.find((s) => s.service === service) ?? null;
      const observed = seen
        .filter((w) => (w.service ?? w.name) === service)
        .map((w) => ({ namespace: w.namespace, kind: w.kind, name: w.name, container: w.container, imageRef: w.image_ref, digest: w.digest, lastAppliedBy: w.last_applied_by }));
      const f = findingRows.filter((r) => r.environment === env.name && r.service === service);
      const incidents = new Map<number, string>();
      for (const i of incidentRows) if (i.environment === env.name && i.service === service) incidents.set(Number(i.id), i.title);
      return {
        service,
        verdict: verdictOf(rec, observed, snap !== undefined),
        observedDigest: observed[0]?.digest ?? null,
        observed,
        recorded: rec,
        openFindings: f.reduce((n, r) => n + Number(r.n), 0),
        openDriftFindings: f.filter((r) => r.drift).reduce((n, r) => n + Number(r.n), 0),
        worstSeverity: f.reduce<Severity | null>((w, r) => worst(w, r.severity), null),
        incidents: [...incidents].map(([id, title]) => ({ id, title })),
      };
    });
    const openIncidents = new Set(incidentRows.filter((i) => i.environment === env.name).map((i) => Number(i.id))).size;
    return {
      name: env.name,
      rank: env.rank,
      isProduction: env.isProduction,
      at: at.toISOString(),
      snapshot: snap
        ? { id: Number(snap.id), observedAt: new Date(snap.observed_at).toISOString(), ageSeconds: Math.max(0, Math.round((now - new Date(snap.observed_at).getTime()) / 1000)) }
        : null,
      lastDeploymentAt: env.lastDeploymentAt ? env.lastDeploymentAt.toISOString() : null,
      services,
      openFindings: env.openFindings,
      openIncidents,
      wrong: services.filter((s) => s.verdict === "drift" || s.verdict === "unrecorded" || s.verdict === "not-observed").length,
    };
  });
}

/** The environments, in promotion order: a cheap look-up for pages that must answer 404 before streaming. */
export async function environmentNames(db: Queryable): Promise<{ name: string; isProduction: boolean }[]> {
  const rows = await queryRows<{ name: string; is_production: boolean }>(db, sql`select name, is_production from environments order by rank, name`);
  return rows.map((r) => ({ name: r.name, isProduction: r.is_production }));
}

/** Incidents not yet closed, in any environment. */
export async function countOpenIncidents(db: Queryable): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(db, sql`select count(*) as n from incidents where status <> 'closed'`);
  return Number(row?.n ?? 0);
}
