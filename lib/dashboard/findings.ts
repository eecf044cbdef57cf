import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { isRuleId, ruleById } from "@/lib/policy";
import { toIso } from "./period";

export interface FindingFilters {
  status?: "open" | "resolved" | "any" | null;
  rule?: string | null;
  environment?: string | null;
  service?: string | null;
  /** Opened on or after / before (ISO days, `to` inclusive). */
  from?: string | null;
  to?: string | null;
}

export interface FindingRow {
  id: number;
  ruleId: string;
  ruleTitle: string;
  severity: string;
  status: string;
  environment: string | null;
  service: string | null;
  actor: string | null;
  summary: string;
  openedAt: string;
  resolvedAt: string | null;
}

export interface FindingPage {
  items: FindingRow[];
  nextCursor: string | null;
}

const day = /^\d{4}-\d{2}-\d{2}$/;

function where(f: FindingFilters, withRule: boolean): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.status && f.status !== "any") parts.push(sql`f.status = ${f.status}`);
  if (withRule && f.rule) parts.push(sql`f.rule_id = ${f.rule}`);
  if (f.environment) parts.push(sql`f.environment = ${f.environment}`);
  if (f.service) parts.push(sql`f.service = ${f.service}`);
  if (f.from && day.test(f.from)) parts.push(sql`f.opened_at >= ${`${f.from}T00:00:00Z`}::timestamptz`);
  if (f.to && day.test(f.to)) parts.push(sql`f.opened_at < ${`${f.to}T00:00:00Z`}::timestamptz + interval '1 day'`);
  return sql.join(parts, sql` and `);
}

/** The cursor is the last row's (opened_at, id), so pages stay stable while findings are added. */
function decodeCursor(cursor: string | null | undefined): { at: string; id: number } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^\d+$/.test(id)) return null;
  return { at, id: Number(id) };
}

export const ruleTitle = (id: string): string => (isRuleId(id) ? ruleById(id).title : id);

export async function listFindings(db: Queryable, f: FindingFilters, cursor?: string | null, limit = 25): Promise<FindingPage> {
  const c = decodeCursor(cursor);
  const after = c ? sql`and (f.opened_at, f.id) < (${c.at}::timestamptz, ${c.id})` : sql``;
  const rows = await queryRows<{
    id: number | string; rule_id: string; severity: string; status: string; environment: string | null; service: string | null;
    actor: string | null; summary: string; opened_at: Date | string; resolved_at: Date | string | null;
  }>(
    db,
    sql`select f.id, f.rule_id, f.severity, f.status, f.environment, f.service, f.actor, f.summary, f.opened_at, f.resolved_at
        from findings f where ${where(f, true)} ${after}
        order by f.opened_at desc, f.id desc limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    ruleId: r.rule_id,
    ruleTitle: ruleTitle(r.rule_id),
    severity: r.severity,
    status: r.status,
    environment: r.environment,
    service: r.service,
    actor: r.actor,
    summary: r.summary,
    openedAt: toIso(r.opened_at) ?? "",
    resolvedAt: toIso(r.resolved_at),
  }));
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(`${last.openedAt}|${last.id}`).toString("base64url") : null;
  return { items, nextCursor };
}

export interface RuleCount {
  ruleId: string;
  ruleTitle: string;
  severity: string;
  count: number;
}

/** Counts by rule under the same filters (except the rule itself, so every rule stays pickable). */
export async function findingCountsByRule(db: Queryable, f: FindingFilters): Promise<RuleCount[]> {
  const rows = await queryRows<{ rule_id: string; n: number | string }>(
    db,
    sql`select f.rule_id, count(*) as n from findings f where ${where(f, false)} group by f.rule_id order by count(*) desc, f.rule_id`,
  );
  return rows.map((r) => ({
    ruleId: r.rule_id,
    ruleTitle: ruleTitle(r.rule_id),
    severity: isRuleId(r.rule_id) ? ruleById(r.rule_id).severity : "unknown",
    count: Number(r.n),
  }));
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
