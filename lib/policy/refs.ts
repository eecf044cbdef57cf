import type { Attestation, CheckRun, Deployment, PipelineRun, Review } from "@/db/schema";

/** The identifying fields of each record, as check outcomes cite them. */

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const reviewRef = (r: Review) => ({
  id: r.id,
  externalId: r.externalId,
  reviewer: r.reviewer,
  state: r.state,
  commitSha: r.commitSha,
  submittedAt: iso(r.submittedAt),
});

export const runRef = (r: PipelineRun) => ({
  id: r.id,
  provider: r.provider,
  runId: r.runId,
  attempt: r.attempt,
  workflow: r.workflow,
  event: r.event,
  actor: r.actor,
  triggeringActor: r.triggeringActor,
  conclusion: r.conclusion,
  url: r.url,
});

export const checkRunRef = (c: CheckRun) => ({
  id: c.id,
  externalId: c.externalId,
  name: c.name,
  headSha: c.headSha,
  status: c.status,
  conclusion: c.conclusion,
  completedAt: iso(c.completedAt),
});

export const deploymentRef = (d: Deployment) => ({
  id: d.id,
  externalId: d.externalId,
  environment: d.environment,
  digest: d.digest,
  commitSha: d.commitSha,
  status: d.status,
  deployedAt: iso(d.deployedAt),
});

export const attestationRef = (a: Attestation) => ({
  id: a.id,
  externalId: a.externalId,
  type: a.type,
  subject: a.subject,
  result: a.result,
  observedAt: iso(a.observedAt),
});
