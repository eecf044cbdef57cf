import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { incidentSteps, type Incident } from "@/db/schema";
import { deploymentByKey, fixRefusals } from "./fix-deployments";
import { linkedFindings } from "./linked-findings";
import { incidentSteps as stepNames, stepTitles } from "./model";

/**
 * What still stands between the incident and closing, in words a person can act on: each of the
 * five steps recorded, the fix deployment linked (and still a pipeline deployment), every linked
 * finding resolved, root cause and corrective action written down.
 */
export async function closeBlockers(db: Queryable, incident: Incident): Promise<string[]> {
  const missing: string[] = [];
  const done = new Set((await db.select({ step: incidentSteps.step }).from(incidentSteps).where(eq(incidentSteps.incidentId, incident.id))).map((s) => s.step));
  for (const step of stepNames) if (!done.has(step)) missing.push(`step "${step}" (${stepTitles[step]}) is not recorded`);
  const findings = await linkedFindings(db, incident.id);
  if (incident.fixDeploymentKey === null) missing.push("no fix deployment is linked");
  else {
    const d = await deploymentByKey(db, incident.fixDeploymentKey);
    if (d === null) missing.push(`the fix deployment ${incident.fixDeploymentKey} is not in the records`);
    else {
      const refusals = fixRefusals(d, incident, findings);
      if (refusals.length > 0) missing.push(`the fix deployment ${incident.fixDeploymentKey} does not qualify: ${refusals.join(", ")}`);
    }
  }
  for (const f of findings) {
    if (f.status !== "resolved") missing.push(`finding ${f.id ?? f.subjectKey} (${f.ruleId} on ${f.subjectKey}) is ${f.status ?? "missing"}, not resolved`);
  }
  if (!incident.rootCause) missing.push("the root cause is not recorded");
  if (!incident.correctiveAction) missing.push("the corrective action is not recorded");
  return missing;
}
