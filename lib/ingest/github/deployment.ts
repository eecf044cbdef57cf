import { type Deployment, type DeploymentEvent, type DeploymentStatusEvent } from "@octokit/webhooks-types";
import { type z } from "zod";
import { deploymentEvent } from "../../events/schema";
import { Fields, isRecord } from "./fields";
import { type Draft, notUsed, type Projection, project } from "./types";
import { clip, type Context, digest, isBot, login, name, occurredAt, sha, time } from "./values";

const statuses = deploymentEvent.shape.status.unwrap();
type DeploymentStatus = z.infer<typeof statuses>;
const environmentSchema = deploymentEvent.shape.environment;

/** GitHub lets a deployment's `payload` be a JSON object or a string holding one. */
function deploymentPayload(value: unknown): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (typeof value !== "string" || value.length > 100_000) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** "Production (EU)" -> "production-eu": the schema wants a lowercase slug. */
function environmentSlug(value: string): string | undefined {
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return environmentSchema.safeParse(slug).success ? slug : undefined;
}

function deploymentDraft(
  repository: string,
  deployment: Fields<Deployment>,
  status: DeploymentStatus,
  environmentName: string,
  occurred: string,
  description: string | undefined,
  workflowRunId: number | undefined,
): Draft | string {
  const environment = environmentSlug(environmentName);
  if (environment === undefined) return `deployment.environment: "${environmentName.slice(0, 50)}" cannot be made a lowercase environment name`;
  const extra = deploymentPayload(deployment.value("payload"));
  const commitSha = sha(deployment.value("sha"));
  const imageRef = name(extra.image, 500) ?? name(extra.imageRef, 500) ?? `${repository}@${commitSha ?? deployment.str("sha")}`;
  const creator = deployment.optObj("creator");
  const pipelineSaysSo = extra.actorType === "pipeline";
  return {
    type: "deployment",
    occurredAt: occurred,
    deploymentId: `github:${deployment.int("id")}`,
    service: name(extra.service) ?? repository.slice(repository.indexOf("/") + 1),
    environment,
    imageRef,
    // An image pinned by digest in its reference is resolved already.
    digest: digest(extra.digest) ?? digest(imageRef.slice(imageRef.lastIndexOf("@") + 1)),
    commitSha,
    pipeline: workflowRunId === undefined ? undefined : { provider: "github-actions", runId: String(workflowRunId) },
    actor: login(creator),
    actorType: isBot(creator) || pipelineSaysSo ? "pipeline" : "human",
    description: clip(description, 5000),
    status,
  };
}

/** `deployment` -> a `deployment` that has been asked for but has not run yet. */
export function mapDeployment(payload: Fields<DeploymentEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const deployment = payload.obj("deployment");
  const occurred = occurredAt(ctx, "deployment.created_at", time(deployment.value("created_at")), time(deployment.value("updated_at")));
  return project([
    deploymentDraft(
      repository,
      deployment,
      "pending",
      deployment.str("environment"),
      occurred,
      deployment.optStr("description"),
      payload.optObj("workflow_run")?.optInt("id"),
    ),
  ]);
}

/** `deployment_status` -> the same deployment (same `deploymentId`) with its new status. */
export function mapDeploymentStatus(payload: Fields<DeploymentStatusEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const deployment = Fields.of<Deployment>(payload.value("deployment"), "deployment");
  const update = payload.obj("deployment_status");
  const state = update.str("state");
  const status = statuses.safeParse(state === "queued" ? "pending" : state);
  if (!status.success) return notUsed(`deployment_status.state: "${state.slice(0, 50)}" is not a deployment state Custody knows`);
  const occurred = occurredAt(
    ctx,
    "deployment_status.updated_at",
    time(update.value("updated_at")),
    time(update.value("created_at")),
  );
  return project([
    deploymentDraft(
      repository,
      deployment,
      status.data,
      // A status may move the deployment to another environment; it names the current one.
      update.optStr("environment") ?? deployment.str("environment"),
      occurred,
      update.optStr("description") ?? deployment.optStr("description"),
      payload.optObj("workflow_run")?.optInt("id"),
    ),
  ]);
}
