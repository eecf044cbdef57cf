import { eq } from "drizzle-orm";
import type { Database, Transaction } from "@/db/client";
import { incidentSteps, incidents, type Incident } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { AppError, notFound, validation } from "../errors";
import { closeBlockers } from "./close-check";
import { deploymentByKey, fixRefusals } from "./fix-deployments";
import { linkedFindings } from "./linked-findings";
import { isStepName, incidentSteps as stepNames, type IncidentActor } from "./model";

async function lockOpen(tx: Transaction, id: number): Promise<Incident> {
  const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for("update");
  if (row === undefined) throw notFound(`incident ${id}`);
  if (row.status !== "open") throw new AppError("CONFLICT", `incident ${id} is ${row.status}; a closed incident is not edited`);
  return row;
}

const audit = (tx: Transaction, by: IncidentActor, id: number, action: string, details: Record<string, unknown>) =>
  recordAudit(tx, { actor: by.actor, actorType: by.actorType, ip: by.ip ?? null, action, target: `incident:${id}`, details });

export interface IncidentPatch {
  owner?: string;
  /** deployments.external_id of the fix; null unlinks it. */
  fixDeploymentKey?: string | null;
  rootCause?: string;
  correctiveAction?: string;
}

/** Changes the owner, fix deployment, root cause or corrective action; a fix must have gone through the pipeline. */
export async function updateIncident(db: Database, by: IncidentActor, id: number, patch: IncidentPatch): Promise<void> {
  await db.transaction(async (tx) => {
    const incident = await lockOpen(tx, id);
    const set: Partial<Incident> = {};
    if (patch.owner !== undefined) {
      if (patch.owner.trim() === "") throw validation("owner: must not be empty");
      set.owner = patch.owner.trim();
    }
    if (patch.rootCause !== undefined) set.rootCause = patch.rootCause.trim() || null;
    if (patch.correctiveAction !== undefined) set.correctiveAction = patch.correctiveAction.trim() || null;
    if (patch.fixDeploymentKey !== undefined) {
      const key = patch.fixDeploymentKey?.trim() || null;
      if (key !== null) {
        const d = await deploymentByKey(tx, key);
        if (d === null) throw validation(`fixDeploymentKey: no deployment ${key}`);
        const refusals = fixRefusals(d, incident, await linkedFindings(tx, id));
        if (refusals.length > 0) throw validation(`fixDeploymentKey: deployment ${key} cannot be the fix: ${refusals.join("; ")}`);
      }
      set.fixDeploymentKey = key;
    }
    const changed = Object.fromEntries(Object.entries(set).filter(([k, v]) => incident[k as keyof Incident] !== v));
    if (Object.keys(changed).length === 0) return;
    await tx.update(incidents).set(changed).where(eq(incidents.id, id));
    const before = Object.fromEntries(Object.keys(changed).map((k) => [k, incident[k as keyof Incident]]));
    await audit(tx, by, id, "incident.update", { before, after: changed });
  });
}

export interface StepInput {
  step: string;
  notes: string;
  evidence?: Record<string, unknown> | null;
  /** When it was done; defaults to now and may not lie in the future. */
  doneAt?: Date;
}

/** Records one of the five steps (a step may be recorded again; every entry is kept). */
export async function addStep(db: Database, by: IncidentActor, id: number, input: StepInput, now = new Date()): Promise<{ id: number }> {
  if (!isStepName(input.step)) throw validation(`step: must be one of ${stepNames.join(", ")}`);
  const notes = input.notes.trim();
  if (notes === "") throw validation(`notes: say what was done for the ${input.step} step`);
  const doneAt = input.doneAt ?? now;
  if (Number.isNaN(doneAt.getTime()) || doneAt > now) throw validation("doneAt: must be a time that has passed");
  return db.transaction(async (tx) => {
    const incident = await lockOpen(tx, id);
    const evidence = { ...(input.evidence ?? {}), ...(input.step === "fix" && incident.fixDeploymentKey ? { fixDeployment: incident.fixDeploymentKey } : {}) };
    const [row] = await tx
      .insert(incidentSteps)
      .values({ incidentId: id, step: input.step, notes, evidence, doneBy: by.actor, doneAt, createdAt: now })
      .returning({ id: incidentSteps.id });
    if (row === undefined) throw new Error("step insert returned no row");
    await audit(tx, by, id, "incident.step", { step: input.step, stepId: row.id, notes, evidence, doneAt: doneAt.toISOString() });
    return row;
  });
}

/** Closes the incident when nothing is missing; otherwise a 409 naming every missing piece, and nothing changes. */
export async function closeIncident(db: Database, by: IncidentActor, id: number, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const incident = await lockOpen(tx, id);
    const missing = await closeBlockers(tx, incident);
    if (missing.length > 0) throw new AppError("CONFLICT", `incident ${id} cannot be closed yet: ${missing.join("; ")}`, { missing });
    await tx.update(incidents).set({ status: "closed", closedAt: now }).where(eq(incidents.id, id));
    await audit(tx, by, id, "incident.close", { closedAt: now.toISOString(), fixDeploymentKey: incident.fixDeploymentKey });
  });
}
