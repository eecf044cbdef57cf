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
  /**
   * Percent of production deployments that failed, were rolled back by their service's next
   * deployment, or were followed by a production incident before that next deployment (within 7
   * days when none came yet); the next deployment may fall after the period.
   */
  changeFailureRate: number | null;
  failedChanges: number;
  /** Median hours from the failure (the incident's first finding, else its opening) to closed; null when none closed in the period. */
  timeToRestoreHours: number | null;
  incidentsClosed: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The four DORA figures over a period: the evaluator's daily roll-ups of production deployments, and the closed incidents. */
export async function doraFigures(db: Queryable, p: Period): Promise<DoraFigures> {
  const prod = await productionEnvironments(db);
  const envs = prod.length > 0 ? inList(prod) : sql`null`;
  // Two statements on their own connections: frequency, lead time and failed changes read the
  // evaluator's roll-ups; time to restore reads the period's closed incidents.
  const [[lead], [incidents]] = await Promise.all([
    // The evaluator's daily roll-ups (deployment_rollups_daily): each successful deployment's
    // lead time is kept there, so the median is exact without joining deployments and commits;
    // each day's failed changes are recounted when a deployment or an incident arrives in the window.
    queryRows<{ lead_seconds: number | string | null; total: number | string | null; attempts: number | string | null; failed: number | string | null }>(
      db,
      sql`select (select percentile_cont(0.5) within group (order by x) from deployment_rollups_daily r2, unnest(r2.lead_seconds) x
                  where r2.environment in (${envs}) and r2.day >= ${dayString(p.from)}::date and r2.day < ${dayString(p.to)}::date) as lead_seconds,
                 sum(r.succeeded) as total, sum(r.deployments) as attempts, sum(r.failed) as failed
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
  const failed = Number(lead?.failed ?? 0);
  const attempts = Number(lead?.attempts ?? 0);
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
