import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { rules } from "@/lib/policy";
import { ruleTitle } from "./findings";
import { dayString, toIso, type Period } from "./period";

export interface GateShare {
  ruleId: string;
  ruleTitle: string;
  gate: string;
  passed: number;
  failed: number;
  missing: number;
  /** Percent of judged production changes that passed; null when none was judged. */
  passRate: number | null;
}

/** For each gate rule, how production deployments in the period fared. */
export async function gateShares(db: Queryable, p: Period): Promise<GateShare[]> {
  const rows = await queryRows<{ rule_id: string; passed: number | string; failed: number | string; missing: number | string }>(
    db,
    // The evaluator's daily roll-ups (check_rollups_daily); periods are whole UTC days.
    sql`select r.rule_id, sum(r.passed) as passed, sum(r.failed) as failed, sum(r.missing) as missing
        from check_rollups_daily r
        join environments e on e.name = r.environment and e.is_production
        where r.day >= ${dayString(p.from)}::date and r.day < ${dayString(p.to)}::date
        group by r.rule_id`,
  );
  const byRule = new Map(rows.map((r) => [r.rule_id, r]));
  return rules
    .filter((r) => r.kind === "gate")
    .map((r) => {
      const row = byRule.get(r.id);
      const passed = Number(row?.passed ?? 0);
      const failed = Number(row?.failed ?? 0);
      const missing = Number(row?.missing ?? 0);
      const total = passed + failed + missing;
      return {
        ruleId: r.id, ruleTitle: r.title, gate: r.gate ?? "", passed, failed, missing,
        passRate: total > 0 ? Math.round((passed / total) * 1000) / 10 : null,
      };
    });
}

export interface ExceptionCount {
  ruleId: string;
  ruleTitle: string;
  opened: number;
  stillOpen: number;
  waived: number;
}

/** Findings (failed checks and drift) opened in the period, by rule, and how many are waived. */
export async function exceptionsByRule(db: Queryable, p: Period, now: Date = new Date()): Promise<ExceptionCount[]> {
  const rows = await queryRows<{ rule_id: string; opened: number | string; still_open: number | string; waived: number | string }>(
    db,
    sql`select f.rule_id, count(*) as opened, count(*) filter (where f.status = 'open') as still_open,
          count(*) filter (where exists (select 1 from waivers w where w.rule_id = f.rule_id and w.subject_key = f.subject_key
            and w.revoked_at is null and w.expires_at > ${now}::timestamptz)) as waived
        from findings f where f.opened_at >= ${p.from} and f.opened_at < ${p.to}
        group by f.rule_id order by count(*) desc, f.rule_id`,
  );
  return rows.map((r) => ({
    ruleId: r.rule_id, ruleTitle: ruleTitle(r.rule_id), opened: Number(r.opened), stillOpen: Number(r.still_open), waived: Number(r.waived),
  }));
}

export interface WaiverRow {
  id: number;
  ruleId: string;
  ruleTitle: string;
  subjectKey: string;
  approver: string;
  justification: string;
  expiresAt: string;
  state: "active" | "expiring" | "expired" | "revoked";
}

/** Waivers in force at some point of the period, soonest expiry first. */
export async function waiversInPeriod(db: Queryable, p: Period, now: Date = new Date(), limit = 100): Promise<WaiverRow[]> {
  const rows = await queryRows<{
    id: number | string; rule_id: string; subject_key: string; approver: string; justification: string;
    expires_at: Date | string; revoked_at: Date | string | null;
  }>(
    db,
    sql`select id, rule_id, subject_key, approver, justification, expires_at, revoked_at from waivers
        where created_at < ${p.to} and expires_at >= ${p.from} order by expires_at, id limit ${limit}`,
  );
  const soon = now.getTime() + 14 * 86_400_000;
  return rows.map((w) => {
    const exp = new Date(w.expires_at).getTime();
    const state = w.revoked_at ? "revoked" : exp <= now.getTime() ? "expired" : exp <= soon ? "expiring" : "active";
    return {
      id: Number(w.id), ruleId: w.rule_id, ruleTitle: ruleTitle(w.rule_id), subjectKey: w.subject_key, approver: w.approver,
      justification: w.justification, expiresAt: toIso(w.expires_at) ?? "", state,
    };
  });
}
