import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { notFound } from "../errors";
import { chainsForDeployments, withRulesOnce, type LeanEvidenceChain, type RuleSummary } from "./chain";
import { sourceOfRow, type FactSource } from "./source";

export interface ObservedWorkload {
  namespace: string;
  kind: string;
  name: string;
  container: string;
  imageRef: string;
  digest: string | null;
}

export interface EnvironmentState {
  environment: string;
  at: string;
  /**
   * Each service's last successful deployment at `at`, with its whole evidence chain; each gate check
   * names its rule (`check`), whose title, severity and controls are in `rules`, given once.
   */
  workloads: (LeanEvidenceChain & { observed: ObservedWorkload[] })[];
  /** The rules the gate checks name, by id: gate, title, severity and the ISO 27001 / SOC 2 controls. */
  rules: Record<string, RuleSummary>;
  /** The latest snapshot at or before `at`, when one was taken: what the cluster really ran. */
  snapshot: { id: number; observedAt: string; source: FactSource } | null;
}

/**
 * What ran in an environment at an instant: per service, the last successful deployment at or
 * before `at` (one index probe per service), with its chain and what the nearest earlier snapshot
 * observed for that service.
 */
export async function environmentStateAt(db: Queryable, name: string, at: Date = new Date()): Promise<EnvironmentState> {
  // One round trip: whether the environment exists, what was deployed there, the nearest snapshot.
  const [found] = await queryRows<{
    known: boolean; ids: (number | string)[] | null; snap_id: number | string | null; observed_at: Date | string | null; observed_text: string | null;
    source_kind: string | null; source_id: string | null; source_verified: boolean | null;
  }>(
    db,
    sql`select exists (select 1 from environments where name = ${name}) as known,
          array(${currentDeploymentsSql(name, at)}) as ids, s.id as snap_id, s.observed_at, s.observed_at::text as observed_text, s.source_kind, s.source_id, s.source_verified
        from (select 1) one left join lateral (
          select id, observed_at, source_kind, source_id, source_verified from snapshots where environment = ${name} and observed_at <= ${at} order by observed_at desc limit 1) s on true`,
  );
  if (found?.known !== true) throw notFound(`environment ${name}`);
  const chains = await chainsForDeployments(db, (found.ids ?? []).map(Number));
  const snap = found.snap_id === null ? undefined : { id: found.snap_id, observed_at: found.observed_at ?? at, observed_text: found.observed_text };
  // The snapshot's time as a value: the planner reads only its month's partition (migration 0027).
  const observed = snap
    ? await queryRows<ObservedWorkload & { service: string | null; image_ref: string }>(
        db,
        sql`select namespace, kind, name, container, image_ref, digest, service from snapshot_workloads
            where snapshot_id = ${Number(snap.id)} and observed_at = ${snap.observed_text}::timestamptz`,
      )
    : [];
  // Grouped once by service: a snapshot of thousands of workloads was filtered once per chain.
  const observedOf = new Map<string, ObservedWorkload[]>();
  for (const w of observed) {
    const service = w.service ?? w.name;
    const view = { namespace: w.namespace, kind: w.kind, name: w.name, container: w.container, imageRef: w.image_ref, digest: w.digest };
    const list = observedOf.get(service);
    if (list === undefined) observedOf.set(service, [view]);
    else list.push(view);
  }
  const lean = withRulesOnce(chains);
  return {
    environment: name,
    at: at.toISOString(),
    workloads: lean.chains
      .map((c) => ({ ...c, observed: observedOf.get(c.service) ?? [] }))
      .sort((a, b) => a.service.localeCompare(b.service)),
    rules: lean.rules,
    snapshot: snap
      ? {
          id: Number(snap.id),
          observedAt: new Date(snap.observed_at).toISOString(),
          source: sourceOfRow({ sourceKind: found.source_kind ?? "unknown", sourceId: found.source_id ?? "", sourceVerified: found.source_verified === true }),
        }
      : null,
  };
}

/** The last successful deployment of each service in the environment at `at`: one index probe per service. */
const currentDeploymentsSql = (environment: string, at: Date): SQL =>
  sql`select d.id from services s cross join lateral (
        select id from deployments
        where service = s.name and environment = ${environment} and deployed_at <= ${at} and status = 'success'
        order by deployed_at desc, id desc limit 1) d`;

/** The last successful deployment of each service in the environment at `at`. */
export async function currentDeploymentIds(db: Queryable, environment: string, at: Date): Promise<number[]> {
  const rows = await queryRows<{ id: number | string }>(db, currentDeploymentsSql(environment, at));
  return rows.map((r) => Number(r.id));
}
