import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { rules } from "../policy/catalogue";
import { controls, type Control, type Framework } from "../policy/controls";
import { type ReportParams } from "./params";
import { populationWhere, resultsInPeriod } from "./scope";

export interface ControlSummary {
  control: Control;
  rules: string[];
  /** Changes with at least one stored check result for this control's rules. */
  evaluated: number;
  /** Evaluated changes with no failed or missing-evidence check and no finding for these rules. */
  passing: number;
  /** Changes with a failed/missing-evidence check or a finding for these rules. */
  changesWithExceptions: number;
  /** Entries of the exception register (checks and findings, drift included) for these rules. */
  exceptionEntries: number;
}

/** The framework's controls that at least one rule supports, in the catalogue's order, with their rule ids. */
export function mappedControls(framework: Framework): { control: Control; rules: string[] }[] {
  return controls
    .filter((c) => c.framework === framework)
    .map((c) => ({ control: c, rules: rules.filter((r) => (r.controls[framework] as readonly string[]).includes(c.id)).map((r) => r.id) }))
    .filter((c) => c.rules.length > 0);
}

type Scope = Pick<ReportParams, "from" | "to" | "environments" | "services"> & { framework: Framework };

/** Per-control figures over the whole population, computed set-based in the database. */
export async function controlSummaries(db: Queryable, s: Scope, exceptionRulesCount: Map<string, number>): Promise<ControlSummary[]> {
  const mapped = mappedControls(s.framework);
  const pairs = mapped.flatMap((m) => m.rules.map((r) => sql`(${m.control.id}, ${r})`));
  const rows =
    pairs.length === 0
      ? []
      : await queryRows<{ control_id: string; evaluated: string | number; bad: string | number; passing: string | number }>(
          db,
          sql`with m(control_id, rule_id) as (values ${sql.join(pairs, sql`, `)}),
            pop as (select d.id, d.deployed_at from deployments d where ${populationWhere(s)}),
            per as (
              select m.control_id, pop.id, bool_or(cr.result <> 'pass') as failed, count(cr.id) as checks,
                exists (select 1 from findings f where f.deployment_id = pop.id and f.rule_id in (select m2.rule_id from m m2 where m2.control_id = m.control_id)) as has_finding
              from pop cross join (select distinct control_id from m) m
              left join check_results cr on cr.deployment_id = pop.id and cr.deployed_at = pop.deployed_at and ${resultsInPeriod(s, sql`cr`)} and cr.rule_id in (select m3.rule_id from m m3 where m3.control_id = m.control_id)
              group by m.control_id, pop.id)
            select control_id, count(*) filter (where checks > 0) as evaluated,
              count(*) filter (where coalesce(failed, false) or has_finding) as bad,
              count(*) filter (where checks > 0 and not coalesce(failed, false) and not has_finding) as passing
            from per group by control_id`,
        );
  const byControl = new Map(rows.map((r) => [r.control_id, r]));
  return mapped.map((m) => {
    const r = byControl.get(m.control.id);
    return {
      control: m.control,
      rules: m.rules,
      evaluated: Number(r?.evaluated ?? 0),
      passing: Number(r?.passing ?? 0),
      changesWithExceptions: Number(r?.bad ?? 0),
      exceptionEntries: m.rules.reduce((n, id) => n + (exceptionRulesCount.get(id) ?? 0), 0),
    };
  });
}

/** Policy versions that judged the population: more than one means the policy changed during the period. */
export async function policyVersionsUsed(db: Queryable, s: Scope): Promise<{ version: string; checks: number }[]> {
  const rows = await queryRows<{ policy_version: string; n: string | number }>(
    db,
    sql`select cr.policy_version, count(*) as n from check_results cr join deployments d on d.id = cr.deployment_id and d.deployed_at = cr.deployed_at
        where ${populationWhere(s)} and ${resultsInPeriod(s, sql`cr`)} group by cr.policy_version order by cr.policy_version`,
  );
  return rows.map((r) => ({ version: r.policy_version, checks: Number(r.n) }));
}
