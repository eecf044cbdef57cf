import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { findings, incidentFindings, incidents, type Finding } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { environmentStateAt } from "../evidence/state";
import { config } from "../config";
import { enqueueNotifications, linkTo } from "../notifications/enqueue";
import { AppError, notFound, validation } from "../errors";
import { isRuleId, ruleById } from "../policy/catalogue";
import type { IncidentActor } from "./model";
import { refreshFailuresForIncident } from "../evaluation/rollups";

export interface OpenIncidentInput {
  title?: string | null;
  owner: string;
  environment?: string | null;
  /** Drift findings by id; none opens an incident from scratch, which then needs an environment. */
  findingIds: readonly number[];
}

async function driftFindings(db: Database, ids: readonly number[]): Promise<Finding[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await db.select().from(findings).where(inArray(findings.id, unique));
  for (const id of unique) if (!rows.some((f) => f.id === id)) throw notFound(`finding ${id}`);
  const notDrift = rows.filter((f) => !(isRuleId(f.ruleId) && ruleById(f.ruleId).kind === "drift"));
  if (notDrift.length > 0) {
    throw validation(`findingIds: an incident is opened from drift findings; ${notDrift.map((f) => `finding ${f.id} is ${f.ruleId}`).join(", ")}`);
  }
  return rows.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.id - b.id);
}

function environmentOf(rows: readonly Finding[], given: string | null | undefined): string {
  const envs = [...new Set(rows.map((f) => f.environment).filter((e): e is string => e !== null))];
  if (envs.length > 1) throw validation(`findingIds: the findings are in different environments (${envs.join(", ")}); open one incident per environment`);
  const fromFindings = envs[0];
  const wanted = given?.trim() || null;
  if (wanted !== null && fromFindings !== undefined && wanted !== fromFindings) {
    throw validation(`environment: the findings are in ${fromFindings}, not ${wanted}`);
  }
  const env = wanted ?? fromFindings;
  if (env === undefined) throw validation("environment: required when the incident is opened without findings");
  return env;
}

function defaultTitle(rows: readonly Finding[], environment: string): string {
  const first = rows[0];
  if (first === undefined) return `Break of immutability in ${environment}`;
  const title = isRuleId(first.ruleId) ? ruleById(first.ruleId).title : first.ruleId;
  return `${title}: ${first.service ?? first.workload ?? first.subjectKey} in ${environment}`;
}

/**
 * Opens an incident and freezes the environment's state at this instant into it (a copy, so later
 * ingestion never changes what it shows). Links the findings by identity; an identity already in
 * an open incident is a conflict, so one drift has one response.
 */
export async function openIncident(db: Database, by: IncidentActor, input: OpenIncidentInput, now = new Date()): Promise<{ id: number }> {
  const owner = input.owner.trim();
  if (owner === "") throw validation("owner: required");
  const rows = await driftFindings(db, input.findingIds);
  const environment = environmentOf(rows, input.environment);
  const title = input.title?.trim() || defaultTitle(rows, environment);
  return db.transaction(async (tx) => {
    for (const f of rows) {
      const [taken] = await tx
        .select({ id: incidents.id })
        .from(incidentFindings)
        .innerJoin(incidents, eq(incidents.id, incidentFindings.incidentId))
        .where(and(eq(incidentFindings.ruleId, f.ruleId), eq(incidentFindings.subjectKey, f.subjectKey), eq(incidents.status, "open")));
      if (taken) throw new AppError("CONFLICT", `finding ${f.id} (${f.ruleId}) is already linked to open incident ${taken.id}`);
    }
    const state = await environmentStateAt(tx, environment, now);
    const capturedState = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    const [row] = await tx
      .insert(incidents)
      .values({ title, status: "open", environment, owner, openedBy: by.actor, openedAt: now, capturedState, createdAt: now })
      .returning({ id: incidents.id });
    if (row === undefined) throw new Error("incident insert returned no row");
    const links = [...new Map(rows.map((f) => [`${f.ruleId}\n${f.subjectKey}`, { incidentId: row.id, ruleId: f.ruleId, subjectKey: f.subjectKey }])).values()];
    if (links.length > 0) await tx.insert(incidentFindings).values(links);
    // The incident makes the deployments whose window holds its opening failed changes (DORA):
    // their days' roll-ups are recounted here, so the dashboard never reads the deployments.
    await refreshFailuresForIncident(tx, now);
    await recordAudit(tx, {
      actor: by.actor, actorType: by.actorType, ip: by.ip ?? null, action: "incident.open", target: `incident:${row.id}`,
      details: { title, owner, environment, findings: rows.map((f) => ({ id: f.id, ruleId: f.ruleId, subjectKey: f.subjectKey })), capturedAt: now.toISOString() },
    });
    await enqueueNotifications(tx, [
      {
        topic: "incident",
        messageId: `incident:${row.id}`,
        environment,
        payload: {
          text: `Incident ${row.id} opened in ${environment} by ${by.actor}: ${title} (owner ${owner}).`,
          link: linkTo(config().publicUrl, `/incidents/${row.id}`),
          incident: { id: row.id, title, environment, owner, openedBy: by.actor, findings: rows.map((f) => f.id) },
        },
      },
    ]);
    return { id: row.id };
  });
}
