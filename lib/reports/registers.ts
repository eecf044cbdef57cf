import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { incidentControls } from "../incidents/model";
import { controlLabel, type Framework } from "../policy/controls";
import { type ReportParams } from "./params";
import { evidenceSummary, ruleControlLabels, ruleSeverity, ruleTitle } from "./rule-text";
import { populationIdPages } from "./population";
import { environmentFilter, populationWhere, resultsInPeriod, serviceFilter } from "./scope";

type Scope = Pick<ReportParams, "from" | "to" | "environments" | "services"> & { framework: Framework };
const iso = (v: Date | string | null | undefined): string => (v === null || v === undefined ? "" : new Date(v).toISOString());

export interface ExceptionRow {
  source: "gate check" | "finding";
  changeId: string;
  subject: string;
  service: string;
  environment: string;
  /** `owner/repo#n` of the change's pull request, when known. */
  pullRequest: string;
  /** When the change happened: its deployment time; for a finding on no deployment, when it was first observed. */
  changeAt: string;
  ruleId: string;
  ruleTitle: string;
  severity: string;
  controls: string;
  result: string;
  evidence: string;
  findingId: string;
  findingStatus: string;
  at: string;
  waiver: string;
}

export const exceptionColumns: ReadonlyArray<readonly [keyof ExceptionRow, string]> = [
  ["source", "source"],
  ["changeId", "change_id"],
  ["subject", "subject"],
  ["service", "service"],
  ["environment", "environment"],
  ["pullRequest", "pull_request"],
  ["changeAt", "change_at"],
  ["ruleId", "rule_id"],
  ["ruleTitle", "rule_title"],
  ["severity", "severity"],
  ["controls", "controls"],
  ["result", "result"],
  ["evidence", "evidence_summary"],
  ["findingId", "finding_id"],
  ["findingStatus", "finding_status"],
  ["at", "evaluated_or_opened_at"],
  ["waiver", "waiver"],
];

interface ExceptionSql {
  id: string | number;
  change_id: string | null;
  subject: string;
  service: string | null;
  environment: string | null;
  rule_id: string;
  result: string;
  evidence: unknown;
  finding_id: string | number | null;
  finding_status: string | null;
  at: Date | string;
  change_at: Date | string | null;
  pull_request: string | null;
  waiver_id: string | number | null;
  waiver_approver: string | null;
  waiver_justification: string | null;
  waiver_expires_at: Date | string | null;
}

/** A waiver in force at some point of the period, matched by rule and the finding's stable subject. */
const waiverJoin = (s: Scope, ruleId: ReturnType<typeof sql>, subjects: ReturnType<typeof sql>) =>
  sql`left join lateral (select w.id, w.approver, w.justification, w.expires_at from waivers w
      where w.rule_id = ${ruleId} and w.subject_key in (${subjects}) and w.created_at < ${s.to} and w.expires_at >= ${s.from}
        and (w.revoked_at is null or w.revoked_at >= ${s.from})
      order by w.created_at desc limit 1) wv on true`;

function toException(r: ExceptionSql, source: ExceptionRow["source"], framework: Framework): ExceptionRow {
  return {
    source,
    changeId: r.change_id ?? "",
    subject: r.subject,
    service: r.service ?? "",
    environment: r.environment ?? "",
    pullRequest: r.pull_request ?? "",
    changeAt: iso(r.change_at ?? r.at),
    ruleId: r.rule_id,
    ruleTitle: ruleTitle(r.rule_id),
    severity: ruleSeverity(r.rule_id),
    controls: ruleControlLabels(r.rule_id, framework),
    result: r.result,
    evidence: evidenceSummary(r.evidence),
    findingId: r.finding_id === null ? "" : String(r.finding_id),
    findingStatus: r.finding_status ?? "",
    at: iso(r.at),
    waiver:
      r.waiver_id === null
        ? ""
        : `waiver #${r.waiver_id} approved by ${r.waiver_approver ?? ""} until ${iso(r.waiver_expires_at)}: ${r.waiver_justification ?? ""}`,
  };
}

/** Failed or missing-evidence gate checks of the population, then findings not already counted, page by page. */
export async function* exceptionRows(db: Queryable, s: Scope, pageSize = 1000): AsyncGenerator<ExceptionRow> {
  for await (const ids of populationIdPages(db, s, pageSize)) {
    const page = await queryRows<ExceptionSql>(
      db,
      sql`select cr.id, d.external_id as change_id, 'deployment:' || d.external_id as subject, d.service, d.environment, cr.rule_id,
            cr.result, cr.evidence, f.id as finding_id, f.status as finding_status, cr.evaluated_at as at, d.deployed_at as change_at,
            (select p.repository || '#' || p.number from pull_requests p where d.commit_sha is not null and p.merge_commit_sha = d.commit_sha
              order by p.merged desc, p.id limit 1) as pull_request,
            wv.id as waiver_id, wv.approver as waiver_approver, wv.justification as waiver_justification, wv.expires_at as waiver_expires_at
          from deployments d join check_results cr on cr.deployment_id = d.id and cr.deployed_at = d.deployed_at
          left join lateral (select f.id, f.status, f.subject_key from findings f where f.deployment_id = d.id and f.rule_id = cr.rule_id
            order by f.opened_at desc limit 1) f on true
          ${waiverJoin(s, sql`cr.rule_id`, sql`coalesce(f.subject_key, ''), 'deployment:' || d.id, 'deployment:' || d.external_id`)}
          where cr.result <> 'pass' and ${resultsInPeriod(s, sql`cr`)} and d.id in (${sql.join(
            ids.map((i) => sql`${i.id}`),
            sql`, `,
          )})
          order by d.deployed_at, d.id, cr.rule_id`,
    );
    for (const r of page) yield toException(r, "gate check", s.framework);
  }
  let after = 0;
  for (;;) {
    const page = await queryRows<ExceptionSql>(
      db,
      sql`select f.id, d.external_id as change_id, f.subject_key as subject, coalesce(f.service, d.service) as service,
            coalesce(f.environment, d.environment) as environment, f.rule_id, f.severity as result, f.evidence || jsonb_build_object('summary', f.summary) as evidence,
            f.id as finding_id, f.status as finding_status, f.opened_at as at, d.deployed_at as change_at,
            (select p.repository || '#' || p.number from pull_requests p where d.commit_sha is not null and p.merge_commit_sha = d.commit_sha
              order by p.merged desc, p.id limit 1) as pull_request,
            wv.id as waiver_id, wv.approver as waiver_approver, wv.justification as waiver_justification, wv.expires_at as waiver_expires_at
          from findings f left join deployments d on d.id = f.deployment_id
          ${waiverJoin(s, sql`f.rule_id`, sql`f.subject_key`)}
          where f.id > ${after}
            and ((f.deployment_id is not null and d.id is not null and ${populationWhere(s)})
              or (f.deployment_id is null and ${environmentFilter(sql`f.environment`, s)} and ${serviceFilter(sql`f.service`, s)}
                  and f.opened_at < ${s.to} and (f.resolved_at is null or f.resolved_at >= ${s.from})))
            and not exists (select 1 from check_results cr where cr.deployment_id = f.deployment_id and cr.deployed_at = d.deployed_at
              and ${resultsInPeriod(s, sql`cr`)} and cr.rule_id = f.rule_id and cr.result <> 'pass')
          order by f.id limit ${pageSize}`,
    );
    for (const r of page) yield toException({ ...r, result: `finding (${r.result})` }, "finding", s.framework);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) break;
    after = Number(last.id);
  }
}

export const incidentColumns = [
  "incident_id", "title", "status", "environment", "owner", "opened_by", "opened_at", "closed_at",
  "fix_deployment", "root_cause", "corrective_action", "linked_findings", "steps", "controls",
] as const;

/** Incidents open at any time during the period, in scope (or with no environment recorded). */
export async function incidentRows(db: Queryable, s: Scope): Promise<string[][]> {
  const controls = incidentControls.filter((c) => c.framework === s.framework).map(controlLabel).join("; ");
  const rows = await queryRows<{
    id: string | number; title: string; status: string; environment: string | null; owner: string; opened_by: string;
    opened_at: Date | string; closed_at: Date | string | null; fix_deployment_key: string | null; root_cause: string | null;
    corrective_action: string | null; linked: string | null; steps: string | null;
  }>(
    db,
    sql`select i.*,
          (select string_agg(l.rule_id || ' ' || l.subject_key, '; ' order by l.rule_id, l.subject_key) from incident_findings l where l.incident_id = i.id) as linked,
          (select string_agg(st.step || ' by ' || st.done_by || ' at ' || to_char(st.done_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '; ' order by st.done_at)
             from incident_steps st where st.incident_id = i.id) as steps
        from incidents i
        where i.opened_at < ${s.to} and (i.closed_at is null or i.closed_at >= ${s.from})
          and (i.environment is null or ${environmentFilter(sql`i.environment`, s)})
        order by i.opened_at, i.id`,
  );
  return rows.map((r) => [
    String(r.id), r.title, r.status, r.environment ?? "", r.owner, r.opened_by, iso(r.opened_at), iso(r.closed_at),
    r.fix_deployment_key ?? "", r.root_cause ?? "", r.corrective_action ?? "", r.linked ?? "", r.steps ?? "", controls,
  ]);
}

export const waiverColumns = [
  "waiver_id", "rule_id", "rule_title", "controls", "subject", "justification", "approver", "created_by", "created_at", "expires_at", "revoked_at",
] as const;

/** Waivers in force at any time during the period. */
export async function waiverRows(db: Queryable, s: Scope): Promise<string[][]> {
  const rows = await queryRows<{
    id: string | number; rule_id: string; subject_key: string; justification: string; approver: string; created_by: string;
    created_at: Date | string; expires_at: Date | string; revoked_at: Date | string | null;
  }>(
    db,
    sql`select * from waivers w where w.created_at < ${s.to} and w.expires_at >= ${s.from} and (w.revoked_at is null or w.revoked_at >= ${s.from})
        order by w.created_at, w.id`,
  );
  return rows.map((r) => [
    String(r.id), r.rule_id, ruleTitle(r.rule_id), ruleControlLabels(r.rule_id, s.framework), r.subject_key, r.justification,
    r.approver, r.created_by, iso(r.created_at), iso(r.expires_at), iso(r.revoked_at),
  ]);
}
