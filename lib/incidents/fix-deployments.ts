import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { Incident } from "@/db/schema";
import { toIso } from "../dashboard/period";
import type { LinkedFinding } from "./linked-findings";

export interface FixCandidate {
  id: number;
  externalId: string;
  service: string;
  environment: string;
  digest: string | null;
  imageRef: string;
  actor: string | null;
  actorType: string;
  status: string;
  pipelineRunId: string | null;
  /** True when a pipeline run with that id was recorded. */
  runRecorded: boolean;
  deployedAt: string;
}

type Row = {
  id: number | string; external_id: string; service: string; environment: string; digest: string | null; image_ref: string; actor: string | null;
  actor_type: string; status: string; pipeline_run_id: string | null; run_recorded: boolean; deployed_at: Date | string;
};

const columns = sql`d.id, d.external_id, d.service, d.environment, d.digest, d.image_ref, d.actor, d.actor_type, d.status, d.pipeline_run_id, d.deployed_at,
  exists (select 1 from pipeline_runs r where r.run_id = d.pipeline_run_id
    and (d.pipeline_provider is null or r.provider = d.pipeline_provider)) as run_recorded`;

const toCandidate = (r: Row): FixCandidate => ({
  id: Number(r.id), externalId: r.external_id, service: r.service, environment: r.environment, digest: r.digest, imageRef: r.image_ref,
  actor: r.actor, actorType: r.actor_type, status: r.status, pipelineRunId: r.pipeline_run_id, runRecorded: Boolean(r.run_recorded),
  deployedAt: toIso(r.deployed_at) ?? "",
});

/** The fix must come after the failure began: the first linked finding, or the opening when there is none. */
export function fixNotBefore(incident: Incident, findings: readonly LinkedFinding[]): Date {
  const seen = findings.map((f) => f.firstSeenAt).filter((s): s is string => s !== null).map((s) => new Date(s).getTime());
  return seen.length > 0 ? new Date(Math.min(...seen)) : incident.openedAt;
}

const affectedServices = (findings: readonly LinkedFinding[]) => [...new Set(findings.map((f) => f.service).filter((s): s is string => s !== null))];

/**
 * Why a deployment cannot be the fix, one reason per unmet condition (empty when it can): it went
 * through the pipeline (actor type pipeline, its run recorded), succeeded, in the incident's
 * environment, of an affected service when the findings name one, after the first finding.
 */
export function fixRefusals(d: FixCandidate, incident: Incident, findings: readonly LinkedFinding[]): string[] {
  const reasons: string[] = [];
  if (d.actorType !== "pipeline") reasons.push(`it was deployed by a ${d.actorType} (${d.actor ?? "unknown"}), not the pipeline`);
  if (d.pipelineRunId === null) reasons.push("it names no pipeline run");
  else if (!d.runRecorded) reasons.push(`its pipeline run ${d.pipelineRunId} was never recorded`);
  if (d.status !== "success") reasons.push(`its status is ${d.status}, not success`);
  if (incident.environment !== null && d.environment !== incident.environment) reasons.push(`it went to ${d.environment}, not ${incident.environment}`);
  const services = affectedServices(findings);
  if (services.length > 0 && !services.includes(d.service)) reasons.push(`it deployed ${d.service}, not ${services.join(" or ")}`);
  const after = fixNotBefore(incident, findings);
  if (new Date(d.deployedAt) <= after) reasons.push(`it was deployed at ${d.deployedAt}, before the first finding at ${after.toISOString()}`);
  return reasons;
}

export async function deploymentByKey(db: Queryable, externalId: string): Promise<FixCandidate | null> {
  const [row] = await queryRows<Row>(db, sql`select ${columns} from deployments d where d.external_id = ${externalId} order by d.id desc limit 1`);
  return row ? toCandidate(row) : null;
}

/** Deployments that may be linked as the fix, newest first. */
export async function fixCandidates(db: Queryable, incident: Incident, findings: readonly LinkedFinding[], limit = 50): Promise<FixCandidate[]> {
  if (incident.environment === null) return [];
  const services = affectedServices(findings);
  const serviceFilter = services.length > 0 ? sql`and d.service in (${sql.join(services.map((s) => sql`${s}`), sql`, `)})` : sql``;
  const rows = await queryRows<Row>(
    db,
    sql`select ${columns} from deployments d
        where d.environment = ${incident.environment} and d.deployed_at > ${fixNotBefore(incident, findings)}
          and d.actor_type = 'pipeline' and d.status = 'success' and d.pipeline_run_id is not null ${serviceFilter}
        order by d.deployed_at desc, d.id desc limit ${limit}`,
  );
  return rows.map(toCandidate).filter((d) => d.runRecorded);
}
