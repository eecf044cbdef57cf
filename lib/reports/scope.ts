import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { type ReportParams } from "./params";

type Scope = Pick<ReportParams, "from" | "to" | "environments" | "services">;

const inList = (column: SQL, values: readonly string[]): SQL =>
  sql`${column} in (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;

/** Environments in scope: those asked for, else every production environment. */
export function environmentFilter(column: SQL, s: Scope): SQL {
  return s.environments.length > 0 ? inList(column, s.environments) : sql`${column} in (select name from environments where is_production)`;
}

export function serviceFilter(column: SQL, s: Scope): SQL {
  return s.services.length > 0 ? inList(column, s.services) : sql`true`;
}

/**
 * The population: every successful deployment to an in-scope environment in [from, to), from
 * deployment records, never tickets. `d` is the deployments alias.
 */
export function populationWhere(s: Scope): SQL {
  return sql`d.status = 'success' and d.deployed_at >= ${s.from} and d.deployed_at < ${s.to}
    and ${environmentFilter(sql`d.environment`, s)} and ${serviceFilter(sql`d.service`, s)}`;
}

/**
 * The population's period on a check_results alias (whose deployed_at is its deployment's): the
 * join on deployments gives the planner no value to prune months with (lib/partitions/prune.ts).
 */
export function resultsInPeriod(s: Scope, cr: SQL): SQL {
  return sql`${cr}.deployed_at >= ${s.from} and ${cr}.deployed_at < ${s.to}`;
}

export async function populationCount(db: Queryable, s: Scope): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from deployments d where ${populationWhere(s)}`);
  return Number(row?.n ?? 0);
}

/** Change ids of the whole population (for sampling), in code-point order. */
export async function populationIds(db: Queryable, s: Scope): Promise<string[]> {
  const rows = await queryRows<{ external_id: string }>(db, sql`select d.external_id from deployments d where ${populationWhere(s)}`);
  return rows.map((r) => r.external_id).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** The in-scope environment names (for the cover page): asked for, or the production ones. */
export async function scopeEnvironments(db: Queryable, s: Scope): Promise<string[]> {
  if (s.environments.length > 0) return s.environments;
  const rows = await queryRows<{ name: string }>(db, sql`select name from environments where is_production order by name`);
  return rows.map((r) => r.name);
}
