import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { findings } from "@/db/schema";
import { config } from "../config";
import { openFinding } from "../findings/store";
import { openIncident } from "../incidents/open";

/** Whether the policy lets break glass through in this environment (CUSTODY_BREAK_GLASS). */
export function breakGlassAllowed(environment: string, setting: "*" | "off" | string[] = config().breakGlass): boolean {
  if (setting === "*") return true;
  if (setting === "off") return false;
  return setting.includes(environment);
}

export interface Bypass {
  /** Stable identity of the bypass, e.g. `decision:<id>` or `admission:<uid>`. */
  subjectKey: string;
  environment: string;
  service: string | null;
  workload: string | null;
  person: string;
  summary: string;
  evidence: Record<string, unknown>;
  at: Date;
}

/** Records `drift.admission-bypass` naming the person, at once (a warn-mode admission or break glass). */
export async function recordBypass(db: Database, b: Bypass): Promise<number> {
  await openFinding(db, {
    ruleId: "drift.admission-bypass",
    subjectKey: b.subjectKey,
    environment: b.environment,
    service: b.service,
    workload: b.workload,
    actor: b.person,
    summary: b.summary,
    evidence: b.evidence,
    observedAt: b.at,
  });
  const [row] = await db
    .select({ id: findings.id })
    .from(findings)
    .where(and(eq(findings.ruleId, "drift.admission-bypass"), eq(findings.subjectKey, b.subjectKey), eq(findings.status, "open")));
  if (row === undefined) throw new Error("admission-bypass finding was not stored");
  return row.id;
}

/**
 * Break glass: the bypass finding plus an incident opened at once, owned by the named person, so
 * the five-step follow-up (apply the change properly, root cause, corrective action) starts now.
 */
export async function breakGlass(db: Database, b: Bypass & { reason: string; requestedBy: string }): Promise<{ findingId: number; incidentId: number }> {
  const findingId = await recordBypass(db, b);
  const { id } = await openIncident(
    db,
    { actor: b.requestedBy, actorType: b.requestedBy.startsWith("token:") ? "token" : "user" },
    { title: `Break glass: ${b.summary}`.slice(0, 200), owner: b.person, environment: b.environment, findingIds: [findingId] },
    b.at,
  );
  return { findingId, incidentId: id };
}
