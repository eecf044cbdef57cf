import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { dayString, daysOf, type Period } from "./period";

/** One chart row per day: `day` plus a count per environment (or per series). */
export type DayRow = { day: string } & Record<string, number | string>;

export interface DeploymentsPerDay {
  environments: string[];
  rows: DayRow[];
}

/** The UTC day of a timestamp as a date: grouping on it is cheap; to_char runs once per group, not per row. */
const dateOf = (column: ReturnType<typeof sql>) => sql`(${column} at time zone 'UTC')::date`;

export async function deploymentsPerDay(db: Queryable, p: Period): Promise<DeploymentsPerDay> {
  const envs = await queryRows<{ name: string }>(db, sql`select name from environments order by rank, name`);
  const counts = await queryRows<{ day: string; environment: string; n: number | string }>(
    db,
    sql`select to_char(day, 'YYYY-MM-DD') as day, environment, n from (
          select ${dateOf(sql`deployed_at`)} as day, environment, count(*) as n
          from deployments where deployed_at >= ${p.from} and deployed_at < ${p.to}
          group by 1, 2) per_day`,
  );
  const environments = envs.map((e) => e.name);
  const byDay = new Map<string, DayRow>(daysOf(p).map((day) => [day, { day, ...Object.fromEntries(environments.map((e) => [e, 0])) }]));
  for (const c of counts) {
    const row = byDay.get(c.day);
    if (row) row[c.environment] = Number(c.n);
  }
  return { environments, rows: [...byDay.values()] };
}

export interface PassRateRow {
  day: string;
  passRate: number | null;
  checks: number;
}

/** Production environments' names, so queries filter on the (environment, deployed_at) index rather than a join. */
export async function productionEnvironments(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(db, sql`select name from environments where is_production order by name`);
  return rows.map((r) => r.name);
}

export const inList = (values: string[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);

/** Share of gate checks that passed on production deployments, per day of deployment. */
export async function gatePassRateOverTime(db: Queryable, p: Period): Promise<PassRateRow[]> {
  const prod = await productionEnvironments(db);
  const rows =
    prod.length === 0
      ? []
      : await queryRows<{ day: string; passed: number | string; total: number | string }>(
          db,
          // The evaluator's daily roll-ups (check_rollups_daily), not the ~21 results per change.
          sql`select to_char(day, 'YYYY-MM-DD') as day, sum(passed) as passed, sum(passed + failed + missing) as total
              from check_rollups_daily
              where environment in (${inList(prod)}) and day >= ${dayString(p.from)}::date and day < ${dayString(p.to)}::date
              group by day`,
        );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return daysOf(p).map((day) => {
    const r = byDay.get(day);
    const total = r ? Number(r.total) : 0;
    return { day, checks: total, passRate: total > 0 && r ? Math.round((Number(r.passed) / total) * 1000) / 10 : null };
  });
}

export interface OpenFindingsRow {
  day: string;
  open: number;
}

/** Findings open at the end of each day: opened by then and not yet resolved. */
export async function openFindingsOverTime(db: Queryable, p: Period): Promise<OpenFindingsRow[]> {
  const rows = await queryRows<{ day: string; open: number | string }>(
    db,
    sql`select to_char(g.day, 'YYYY-MM-DD') as day, count(f.id) as open
        from generate_series(${p.from}::timestamptz, ${p.to}::timestamptz - interval '1 day', interval '1 day') as g(day)
        left join findings f on f.opened_at < g.day + interval '1 day'
          and (f.resolved_at is null or f.resolved_at >= g.day + interval '1 day')
        group by g.day order by g.day`,
  );
  const byDay = new Map(rows.map((r) => [r.day, Number(r.open)]));
  return daysOf(p).map((day) => ({ day, open: byDay.get(day) ?? 0 }));
}
