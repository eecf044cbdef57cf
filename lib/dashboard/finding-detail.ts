import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { isRuleId, ruleById, type Rule } from "@/lib/policy";
import { toIso } from "./period";

export interface FindingDetail {
  id: number;
  rule: Rule | null;
  ruleId: string;
  severity: string;
  status: string;
  subjectKey: string;
  environment: string | null;
  service: string | null;
  workload: string | null;
  deploymentId: number | null;
  actor: string | null;
  summary: string;
  evidence: Record<string, unknown>;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  incidents: { id: number; title: string; status: string }[];
  waivers: { id: number; approver: string; justification: string; expiresAt: string; revokedAt: string | null; createdBy: string }[];
  /** Waiver requests still waiting for a second person's approval. */
  waiverRequests: { id: number; requestedBy: string; justification: string; expiresAt: string; createdAt: string }[];
}

export async function findingDetail(db: Queryable, id: number): Promise<FindingDetail | null> {
  const [f] = await queryRows<{
    id: number | string; rule_id: string; severity: string; status: string; subject_key: string; environment: string | null;
    service: string | null; workload: string | null; deployment_id: number | string | null; actor: string | null; summary: string;
    evidence: Record<string, unknown>; opened_at: Date | string; last_seen_at: Date | string; resolved_at: Date | string | null;
    resolution: string | null;
  }>(db, sql`select * from findings where id = ${id}`);
  if (!f) return null;
  const incidents = await queryRows<{ id: number | string; title: string; status: string }>(
    db,
    sql`select i.id, i.title, i.status from incident_findings l join incidents i on i.id = l.incident_id
        where l.rule_id = ${f.rule_id} and l.subject_key = ${f.subject_key} order by i.opened_at`,
  );
  const waivers = await queryRows<{ id: number | string; approver: string; justification: string; expires_at: Date | string; revoked_at: Date | string | null; created_by: string }>(
    db,
    sql`select id, approver, justification, expires_at, revoked_at, created_by from waivers
        where rule_id = ${f.rule_id} and subject_key = ${f.subject_key} order by created_at desc`,
  );
  const requests = await queryRows<{ id: number | string; requested_by: string; justification: string; expires_at: Date | string; created_at: Date | string }>(
    db,
    sql`select id, requested_by, justification, expires_at, created_at from waiver_requests
        where rule_id = ${f.rule_id} and subject_key = ${f.subject_key} and status = 'requested' order by created_at desc`,
  );
  return {
    id: Number(f.id),
    rule: isRuleId(f.rule_id) ? ruleById(f.rule_id) : null,
    ruleId: f.rule_id,
    severity: f.severity,
    status: f.status,
    subjectKey: f.subject_key,
    environment: f.environment,
    service: f.service,
    workload: f.workload,
    deploymentId: f.deployment_id === null ? null : Number(f.deployment_id),
    actor: f.actor,
    summary: f.summary,
    evidence: f.evidence,
    openedAt: toIso(f.opened_at) ?? "",
    lastSeenAt: toIso(f.last_seen_at) ?? "",
    resolvedAt: toIso(f.resolved_at),
    resolution: f.resolution,
    incidents: incidents.map((i) => ({ id: Number(i.id), title: i.title, status: i.status })),
    waivers: waivers.map((w) => ({
      id: Number(w.id), approver: w.approver, justification: w.justification,
      expiresAt: toIso(w.expires_at) ?? "", revokedAt: toIso(w.revoked_at), createdBy: w.created_by,
    })),
    waiverRequests: requests.map((r) => ({
      id: Number(r.id), requestedBy: r.requested_by, justification: r.justification, expiresAt: toIso(r.expires_at) ?? "", createdAt: toIso(r.created_at) ?? "",
    })),
  };
}
