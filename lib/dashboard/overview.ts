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

/** Deployments per day and environment, from the evaluator's daily roll-ups (deployment_rollups_daily), not the deployments. */
export async function deploymentsPerDay(db: Queryable, p: Period): Promise<DeploymentsPerDay> {
  const envs = await queryRows<{ name: string }>(db, sql`select name from environments order by rank, name`);
  const counts = await queryRows<{ day: string; environment: string; n: number | string }>(
    db,
    sql`select to_char(day, 'YYYY-MM-DD') as day, environment, deployments as n
        from deployment_rollups_daily where day >= ${dayString(p.from)}::date and day < ${dayString(p.to)}::date`,
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

/**
 * Findings open at the end of each day: opened by then and not yet resolved. A finding is resolved
 * no earlier than it was opened, so open at the end of day D = opened before D+1 − resolved before
 * D+1: one count before the period, then each day's openings and resolutions, summed in order. (A
 * range join of every day with every finding cost days × findings: 13 s for 90 days of 200,000.)
 * Both read `findings_opened_at_idx` and `findings_resolved_at_idx`.
 */
export async function openFindingsOverTime(db: Queryable, p: Period): Promise<OpenFindingsRow[]> {
  const [[base], deltas] = await Promise.all([
    queryRows<{ open: number | string | null }>(
      db,
      // Open at the period's start = open now − opened since + resolved since (a finding is resolved
      // no earlier than it was opened): three index counts over the unresolved and the recent rows,
      // instead of every finding opened before the period (ten years of them at scale).
      sql`select (select count(*) from findings where resolved_at is null)
               - (select count(*) from findings where opened_at >= ${p.from} and resolved_at is null)
               + (select count(*) from findings where resolved_at >= ${p.from} and opened_at < ${p.from}) as open`,
    ),
    queryRows<{ day: string; delta: number | string }>(
      db,
      sql`select to_char(day, 'YYYY-MM-DD') as day, sum(delta) as delta from (
            select ${dateOf(sql`opened_at`)} as day, 1 as delta from findings where opened_at >= ${p.from} and opened_at < ${p.to}
            union all
            select ${dateOf(sql`resolved_at`)}, -1 from findings where resolved_at >= ${p.from} and resolved_at < ${p.to}
          ) changes group by 1`,
    ),
  ]);
  const byDay = new Map(deltas.map((r) => [r.day, Number(r.delta)]));
  let open = Number(base?.open ?? 0);
  return daysOf(p).map((day) => {
    open += byDay.get(day) ?? 0;
    return { day, open };
  });
}
