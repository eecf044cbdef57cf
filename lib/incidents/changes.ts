import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { toIso } from "../dashboard/period";

export interface ChangeEvent {
  at: string;
  kind: "deployment" | "snapshot" | "finding" | "cluster-audit";
  summary: string;
  actor: string | null;
  /** The record it comes from, for a link: `deployment:12`, `snapshot:4`, `finding:9`. */
  ref: string;
}

/**
 * Everything recorded about the environment in [from, to]: deployments (any actor or status),
 * snapshots, findings opened and Kubernetes audit events, oldest first (the latest `limit`). Read live, so evidence
 * that arrives late still shows here; the captured state is the frozen part of the record.
 */
export async function changesBetween(db: Queryable, environment: string, from: Date, to: Date, limit = 200): Promise<ChangeEvent[]> {
  const rows = await queryRows<{ at: Date | string; kind: ChangeEvent["kind"]; summary: string; actor: string | null; ref: string }>(
    db,
    sql`select * from (
          select d.deployed_at as at, 'deployment' as kind,
            d.service || ' ' || coalesce(d.digest, d.image_ref) || ' (' || d.status || ', by ' || d.actor_type || ')' as summary,
            d.actor, 'deployment:' || d.id as ref
          from deployments d where d.environment = ${environment} and d.deployed_at >= ${from} and d.deployed_at <= ${to}
          union all
          select s.observed_at, 'snapshot', s.workload_count || ' workloads observed (' || s.source || ')', null, 'snapshot:' || s.id
          from snapshots s where s.environment = ${environment} and s.observed_at >= ${from} and s.observed_at <= ${to}
          union all
          select f.opened_at, 'finding', f.rule_id || ': ' || f.summary, f.actor, 'finding:' || f.id
          from findings f where f.environment = ${environment} and f.opened_at >= ${from} and f.opened_at <= ${to}
          union all
          select a.occurred_at, 'cluster-audit',
            a.verb || ' ' || coalesce(a.resource, '') || coalesce('/' || a.subresource, '') || ' ' || coalesce(a.namespace || '/', '') || coalesce(a.name, ''),
            a.username, 'cluster-audit:' || a.id
          from cluster_audit_events a where a.environment = ${environment} and a.occurred_at >= ${from} and a.occurred_at <= ${to}
        ) c order by at desc, kind, ref limit ${limit}`,
  );
  // Newest first under the limit, so the change just before the incident is never the one cut.
  return rows.reverse().map((r) => ({ at: toIso(r.at) ?? "", kind: r.kind, summary: r.summary, actor: r.actor, ref: r.ref }));
}
