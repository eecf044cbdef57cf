import { asc, eq, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { incidentSteps, incidents, type Incident } from "@/db/schema";
import { toIso } from "../dashboard/period";
import { notFound } from "../errors";
import { changesBetween, type ChangeEvent } from "./changes";
import { closeBlockers } from "./close-check";
import { deploymentByKey, fixCandidates, fixNotBefore, type FixCandidate } from "./fix-deployments";
import { linkedFindings, type LinkedFinding } from "./linked-findings";
import { HOUR_MS, LOOKBACK_HOURS, incidentControls } from "./model";

export interface TimelineEntry {
  at: string;
  what: string;
  who: string | null;
}

export interface IncidentDetail {
  id: number;
  title: string;
  status: string;
  environment: string | null;
  owner: string;
  openedBy: string;
  openedAt: string;
  closedAt: string | null;
  rootCause: string | null;
  correctiveAction: string | null;
  fixDeploymentKey: string | null;
  fixDeployment: FixCandidate | null;
  /** The environment's state frozen when the incident was opened. */
  capturedState: Record<string, unknown>;
  findings: LinkedFinding[];
  steps: { id: number; step: string; notes: string; evidence: Record<string, unknown> | null; doneBy: string; doneAt: string }[];
  /** What was recorded in the environment from LOOKBACK_HOURS before the failure began until the opening. */
  changesBefore: { from: string; to: string; events: ChangeEvent[] };
  timeline: TimelineEntry[];
  restore: {
    /** Opened to closed (or to now while open). */
    hours: number;
    /** First linked finding to closed: the figure the DORA time to restore uses. */
    sinceFailureHours: number;
    failureStartedAt: string;
  };
  /** What still blocks closing; empty once closed or ready. */
  closeBlockers: string[];
  fixCandidates: FixCandidate[];
  controls: { framework: string; id: string; title: string }[];
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

async function auditTimeline(db: Queryable, id: number): Promise<TimelineEntry[]> {
  const rows = await queryRows<{ at: Date | string; actor: string; action: string; details: Record<string, unknown> }>(
    db,
    sql`select at, actor, action, details from audit_log where target = ${`incident:${id}`} and outcome = 'success' order by seq`,
  );
  return rows.map((r) => ({ at: toIso(r.at) ?? "", who: r.actor, what: describeAudit(r.action, r.details) }));
}

function describeAudit(action: string, d: Record<string, unknown>): string {
  if (action === "incident.open") return "Incident opened; environment state captured";
  if (action === "incident.step") return `Step ${String(d.step)} recorded`;
  if (action === "incident.close") return "Incident closed";
  if (action === "incident.update") {
    const after = d.after && typeof d.after === "object" ? Object.keys(d.after) : [];
    return `Changed ${after.join(", ") || "the record"}`;
  }
  return action;
}

/** One incident with everything its page and the API show. */
export async function incidentDetail(db: Queryable, id: number, now = new Date()): Promise<IncidentDetail> {
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (incident === undefined) throw notFound(`incident ${id}`);
  const findings = await linkedFindings(db, id);
  const steps = await db.select().from(incidentSteps).where(eq(incidentSteps.incidentId, id)).orderBy(asc(incidentSteps.doneAt), asc(incidentSteps.id));
  const fix = incident.fixDeploymentKey ? await deploymentByKey(db, incident.fixDeploymentKey) : null;
  const started = fixNotBefore(incident, findings);
  const from = new Date(Math.min(started.getTime(), incident.openedAt.getTime()) - LOOKBACK_HOURS * HOUR_MS);
  const end = incident.closedAt ?? now;
  return {
    id, title: incident.title, status: incident.status, environment: incident.environment, owner: incident.owner, openedBy: incident.openedBy,
    openedAt: incident.openedAt.toISOString(), closedAt: toIso(incident.closedAt), rootCause: incident.rootCause,
    correctiveAction: incident.correctiveAction, fixDeploymentKey: incident.fixDeploymentKey, fixDeployment: fix,
    capturedState: incident.capturedState, findings,
    steps: steps.map((s) => ({ id: s.id, step: s.step, notes: s.notes, evidence: s.evidence, doneBy: s.doneBy, doneAt: s.doneAt.toISOString() })),
    changesBefore: {
      from: from.toISOString(), to: incident.openedAt.toISOString(),
      events: incident.environment ? await changesBetween(db, incident.environment, from, incident.openedAt) : [],
    },
    timeline: timeline(incident, findings, fix, await auditTimeline(db, id)),
    restore: { hours: hours(end.getTime() - incident.openedAt.getTime()), sinceFailureHours: hours(end.getTime() - started.getTime()), failureStartedAt: started.toISOString() },
    closeBlockers: incident.status === "open" ? await closeBlockers(db, incident) : [],
    fixCandidates: incident.status === "open" ? await fixCandidates(db, incident, findings) : [],
    controls: incidentControls.map((c) => ({ framework: c.framework, id: c.id, title: c.title })),
  };
}

function timeline(incident: Incident, findings: readonly LinkedFinding[], fix: FixCandidate | null, audited: TimelineEntry[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [...audited];
  for (const f of findings) {
    if (f.firstSeenAt) entries.push({ at: f.firstSeenAt, who: null, what: `Finding ${f.ruleId} first seen on ${f.subjectKey}` });
    if (f.resolvedAt) entries.push({ at: f.resolvedAt, who: null, what: `Finding ${f.ruleId} resolved${f.resolution ? `: ${f.resolution}` : ""}` });
  }
  if (fix) entries.push({ at: fix.deployedAt, who: fix.actor, what: `Fix deployment ${fix.externalId} of ${fix.service} through pipeline run ${fix.pipelineRunId ?? "?"}` });
  if (!audited.some((e) => e.what.startsWith("Incident opened"))) entries.push({ at: incident.openedAt.toISOString(), who: incident.openedBy, what: "Incident opened" });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}
