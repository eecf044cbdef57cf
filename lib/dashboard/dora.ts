import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { restoreStartSql } from "../incidents/restore";
import { inList, productionEnvironments } from "./overview";
import { dayString, periodDays, type Period } from "./period";

export interface DoraFigures {
  /** Successful production deployments per day over the period. */
  deploymentsPerDay: number;
  productionDeployments: number;
  /** Median hours from commit to production deployment; null without linked commits. */
  leadTimeHours: number | null;
  /** Percent of production deployments followed by an incident, a failure or a rollback. */
  changeFailureRate: number | null;
  failedChanges: number;
  /** Median hours from the failure (the incident's first finding, else its opening) to closed; null when none closed in the period. */
  timeToRestoreHours: number | null;
  incidentsClosed: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The four DORA figures over a period, computed in SQL from production deployments and incidents. */
export async function doraFigures(db: Queryable, p: Period): Promise<DoraFigures> {
  const prod = await productionEnvironments(db);
  const envs = prod.length > 0 ? inList(prod) : sql`null`;
  const inPeriod = sql`d.environment in (${envs}) and d.deployed_at >= ${p.from} and d.deployed_at < ${p.to}`;
  // Three statements on their own connections: the failure rate needs each deployment's successor
  // (a sort of the period's production deployments); frequency and lead time read the roll-ups.
  const [[deploys], [lead], [incidents]] = await Promise.all([
    queryRows<{ attempts: number | string; failed: number | string }>(
      db,
      sql`with prod as (
            select d.status, d.deployed_at,
              lead(d.deployed_at) over w as next_at, lead(d.change_type) over w as next_change_type
            from deployments d
            where ${inPeriod}
            window w as (partition by d.environment, d.service order by d.deployed_at, d.id)
          )
          select count(*) as attempts,
            count(*) filter (where prod.status <> 'success' or prod.next_change_type = 'rollback'
              or exists (select 1 from incidents i where i.environment in (${envs})
                           and i.opened_at >= prod.deployed_at
                           and i.opened_at < coalesce(prod.next_at, prod.deployed_at + interval '7 days'))) as failed
          from prod`,
    ),
    // The evaluator's daily roll-ups (deployment_rollups_daily): each successful deployment's
    // lead time is kept there, so the median is exact without joining deployments and commits.
    queryRows<{ lead_seconds: number | string | null; total: number | string | null }>(
      db,
      sql`select (select percentile_cont(0.5) within group (order by x) from deployment_rollups_daily r2, unnest(r2.lead_seconds) x
                  where r2.environment in (${envs}) and r2.day >= ${dayString(p.from)}::date and r2.day < ${dayString(p.to)}::date) as lead_seconds,
                 sum(r.succeeded) as total
          from deployment_rollups_daily r
          where r.environment in (${envs}) and r.day >= ${dayString(p.from)}::date and r.day < ${dayString(p.to)}::date`,
    ),
    queryRows<{ closed: number | string; restore_seconds: number | string | null }>(
      db,
      sql`select count(*) as closed,
            percentile_cont(0.5) within group (order by extract(epoch from i.closed_at - ${restoreStartSql("i")})) as restore_seconds
          from incidents i where i.closed_at is not null and i.closed_at >= ${p.from} and i.closed_at < ${p.to}`,
    ),
  ]);
  const total = Number(lead?.total ?? 0);
  const failed = Number(deploys?.failed ?? 0);
  const attempts = Number(deploys?.attempts ?? 0);
  const leadSeconds = lead?.lead_seconds;
  const restore = incidents?.restore_seconds;
  return {
    deploymentsPerDay: round1(total / periodDays(p)),
    productionDeployments: total,
    leadTimeHours: leadSeconds === null || leadSeconds === undefined ? null : round1(Number(leadSeconds) / 3600),
    changeFailureRate: attempts > 0 ? round1((failed / attempts) * 100) : null,
    failedChanges: failed,
    timeToRestoreHours: restore === null || restore === undefined ? null : round1(Number(restore) / 3600),
    incidentsClosed: Number(incidents?.closed ?? 0),
  };
}
