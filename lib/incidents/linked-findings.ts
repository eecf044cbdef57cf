import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { toIso } from "../dashboard/period";

export interface LinkedFinding {
  ruleId: string;
  subjectKey: string;
  /** The latest finding of that identity: its status decides whether the drift is over. */
  id: number | null;
  status: string | null;
  severity: string | null;
  service: string | null;
  summary: string | null;
  openedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  /** When the finding open at the incident's opening was first seen: where time to restore starts. */
  firstSeenAt: string | null;
}

/** The incident's findings by stable identity, each with its latest finding row and first-seen time. */
export async function linkedFindings(db: Queryable, incidentId: number): Promise<LinkedFinding[]> {
  const rows = await queryRows<{
    rule_id: string; subject_key: string; id: number | string | null; status: string | null; severity: string | null; service: string | null;
    summary: string | null; opened_at: Date | string | null; resolved_at: Date | string | null; resolution: string | null; first_seen_at: Date | string | null;
  }>(
    db,
    sql`select l.rule_id, l.subject_key, cur.id, cur.status, cur.severity, cur.service, cur.summary, cur.opened_at, cur.resolved_at, cur.resolution,
          first.opened_at as first_seen_at
        from incident_findings l join incidents i on i.id = l.incident_id
        left join lateral (select * from findings f where f.rule_id = l.rule_id and f.subject_key = l.subject_key
          order by f.opened_at desc, f.id desc limit 1) cur on true
        left join lateral (select f.opened_at from findings f where f.rule_id = l.rule_id and f.subject_key = l.subject_key
          and f.opened_at <= i.opened_at order by f.opened_at desc limit 1) first on true
        where l.incident_id = ${incidentId} order by l.rule_id, l.subject_key`,
  );
  return rows.map((r) => ({
    ruleId: r.rule_id, subjectKey: r.subject_key, id: r.id === null ? null : Number(r.id), status: r.status, severity: r.severity,
    service: r.service, summary: r.summary, openedAt: toIso(r.opened_at), resolvedAt: toIso(r.resolved_at), resolution: r.resolution,
    firstSeenAt: toIso(r.first_seen_at),
  }));
}
