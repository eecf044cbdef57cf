import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { isRuleId, ruleById, severities } from "@/lib/policy";
import { dayOrNull } from "../evidence/cursor";

export interface FindingFilters {
  status?: "open" | "resolved" | "any" | null;
  rule?: string | null;
  environment?: string | null;
  service?: string | null;
  /** Opened on or after / before (ISO days, `to` inclusive). */
  from?: string | null;
  to?: string | null;
}

/** A filter's day, or null for anything else (ignored, as the page's other filters): years 0001-9999 only, which Postgres holds. */
export const dayOf = (value: string | null | undefined): string | null => (dayOrNull(value) ? (value ?? null) : null);

function where(f: FindingFilters, withRule: boolean): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.status && f.status !== "any") parts.push(sql`f.status = ${f.status}`);
  if (withRule && f.rule) parts.push(sql`f.rule_id = ${f.rule}`);
  if (f.environment) parts.push(sql`f.environment = ${f.environment}`);
  if (f.service) parts.push(sql`f.service = ${f.service}`);
  const from = dayOf(f.from);
  const to = dayOf(f.to);
  if (from) parts.push(sql`f.opened_at >= ${`${from}T00:00:00Z`}::timestamptz`);
  if (to) parts.push(sql`f.opened_at < ${`${to}T00:00:00Z`}::timestamptz + interval '1 day'`);
  return sql.join(parts, sql` and `);
}

export const ruleTitle = (id: string): string => (isRuleId(id) ? ruleById(id).title : id);

export interface RuleCount {
  ruleId: string;
  ruleTitle: string;
  severity: string;
  count: number;
}

/**
 * Counts by rule under the same filters (except the rule itself, so every rule stays pickable),
 * most severe first, then most frequent. The list itself comes from lib/findings/queries.ts.
 */
export async function findingCountsByRule(db: Queryable, f: FindingFilters): Promise<RuleCount[]> {
  const rows = await queryRows<{ rule_id: string; n: number | string }>(
    db,
    sql`select f.rule_id, count(*) as n from findings f where ${where(f, false)} group by f.rule_id order by count(*) desc, f.rule_id`,
  );
  const rank = (s: string) => {
    const i = (severities as readonly string[]).indexOf(s);
    return i === -1 ? severities.length : i;
  };
  return rows
    .map((r) => ({
      ruleId: r.rule_id,
      ruleTitle: ruleTitle(r.rule_id),
      severity: isRuleId(r.rule_id) ? ruleById(r.rule_id).severity : "unknown",
      count: Number(r.n),
    }))
    .sort((a, b) => rank(a.severity) - rank(b.severity) || b.count - a.count || a.ruleId.localeCompare(b.ruleId));
}

export interface FilterOptions {
  environments: string[];
  services: string[];
}

export async function filterOptions(db: Queryable): Promise<FilterOptions> {
  const envs = await queryRows<{ name: string }>(db, sql`select name from environments order by rank, name`);
  const services = await queryRows<{ name: string }>(db, sql`select name from services order by name`);
  return { environments: envs.map((e) => e.name), services: services.map((s) => s.name) };
}
