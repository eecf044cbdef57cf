import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";

/**
 * Reading check_results by deployment without scanning every month (issue #23).
 *
 * check_results is partitioned by month of its deployment's time (migration 0025). A statement that
 * finds its rows by joining deployments (`cr.deployed_at = d.deployed_at`) leaves the planner no
 * value to prune with: it plans and opens every month's partition. Measured on the scale bench's
 * load (126 months, warm connection): ~5 ms of planning and ~5 ms of executor start-up for a single
 * deployment's results, and 55 ms of planning on a connection's first use. Given the deployments'
 * times as values, the planner keeps only their months (0.4 ms planning, 0.2 ms execution).
 */
export interface DeploymentKeys {
  ids: number[];
  /** Each deployment's deployed_at as Postgres wrote it (text: a JS Date would lose microseconds). */
  at: string[];
}

/** The (id, deployed_at) keys of these deployments; unknown ids are left out. */
export async function deploymentKeys(db: Queryable, ids: readonly number[]): Promise<DeploymentKeys> {
  if (ids.length === 0) return { ids: [], at: [] };
  const [row] = await queryRows<{ ids: (number | string)[] | null; at: string[] | null }>(
    db,
    sql`select array_agg(id) as ids, array_agg(deployed_at::text) as at from deployments where id = any(${sql.param([...ids])}::bigint[])`,
  );
  return { ids: (row?.ids ?? []).map(Number), at: row?.at ?? [] };
}

/**
 * The condition "this check result belongs to one of these deployments", on the table alias `cr`:
 * its time among the deployments' (which the planner prunes months with) and the exact pair (a
 * result left in another month by a deployment whose time moved is not its deployment's).
 */
export function resultsOf(keys: DeploymentKeys, cr: SQL = sql`check_results`): SQL {
  const at = sql.param(keys.at);
  return sql`${cr}.deployed_at = any(${at}::timestamptz[])
    and (${cr}.deployment_id, ${cr}.deployed_at) in (select * from unnest(${sql.param(keys.ids)}::bigint[], ${at}::timestamptz[]))`;
}

/**
 * A condition on `column` (a timestamptz partition key) that holds for every instant of these UTC
 * days, `YYYY-MM-DD`: one range per day, or from the first to the end of the last when there are
 * many. It only narrows the months planned; the statement keeps its own exact condition.
 */
export function withinDays(column: SQL, days: readonly string[]): SQL {
  const sorted = [...new Set(days)].sort();
  if (sorted.length === 0) return sql`false`;
  const range = (from: string, to: string) =>
    sql`(${column} >= ${`${from}T00:00:00Z`}::timestamptz and ${column} < ${`${nextDay(to)}T00:00:00Z`}::timestamptz)`;
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  if (sorted.length > 50 && first !== undefined && last !== undefined) return range(first, last);
  return sql`(${sql.join(sorted.map((d) => range(d, d)), sql` or `)})`;
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * A condition on `column` (a timestamptz partition key) that holds for every instant of the UTC
 * months of these times: the snapshot tables are partitioned by month of the snapshot's observed_at
 * (migration 0027), and a statement that finds a snapshot's rows by its id alone plans every month.
 * Months, not the times themselves: a JS Date has lost any microseconds Postgres holds, and
 * truncating to milliseconds never leaves the month. It only narrows the months planned; the
 * statement keeps its own exact condition.
 */
export function withinMonths(column: SQL, times: readonly Date[]): SQL {
  const months = [...new Set(times.map((t) => Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)))].sort((a, b) => a - b);
  if (months.length === 0) return sql`false`;
  const range = (from: number) => {
    const start = new Date(from);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    return sql`(${column} >= ${start.toISOString()}::timestamptz and ${column} < ${end.toISOString()}::timestamptz)`;
  };
  return sql`(${sql.join(months.map(range), sql` or `)})`;
}
