import { deploymentEvent } from "../../events/schema";
import { type Draft, notUsed, type Projection, project } from "../github/types";
import { clip, type Context, occurredAt, sha } from "../github/values";
import { GITLAB_CI } from "./pipeline";
import { gitlabTime, idOf, maybeObj, type Obj, projectPath, serviceOf, shaFromCommitUrl, username, child, optChild } from "./values";

const environmentSchema = deploymentEvent.shape.environment;

/** "Production (EU)" -> "production-eu". */
function environmentSlug(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const slug = value.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return environmentSchema.safeParse(slug).success ? slug : undefined;
}

type Status = "pending" | "in_progress" | "success" | "failure" | "error";
const statuses: Record<string, Status> = { created: "pending", running: "in_progress", success: "success", failed: "failure", canceled: "error", blocked: "pending" };

/**
 * GitLab deployments are keyed by the job that ran them: the Deployment Hook names the job
 * (`deployable_id`), the Pipeline Hook names the pipeline and its environment jobs. Either order
 * fills one deployment: its status and person from one, its pipeline run from the other.
 */
const deploymentKey = (projectId: string, jobId: string) => `gitlab:${projectId}:job:${jobId}`;

/** Deployment Hook -> a `deployment` by the CI job (`deployable_id`). */
export function mapDeployment(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const projectId = idOf(child(payload, "project").value("id"));
  const jobId = idOf(payload.value("deployable_id")) ?? idOf(payload.value("deployment_id"));
  if (projectId === undefined || jobId === undefined) return notUsed("project.id or deployable_id missing");
  const environment = environmentSlug(payload.value("environment"));
  if (environment === undefined) return notUsed(`environment: "${String(payload.value("environment")).slice(0, 50)}" cannot be made a lowercase environment name`);
  const status = statuses[String(payload.value("status"))];
  if (status === undefined) return notUsed(`status: "${String(payload.value("status")).slice(0, 50)}" is not a deployment status Custody knows`);
  const commitSha = shaFromCommitUrl(payload.value("commit_url")) ?? sha(payload.value("short_sha"));
  return project([
    {
      type: "deployment",
      occurredAt: occurredAt(ctx, "status_changed_at", gitlabTime(payload.value("status_changed_at"))),
      deploymentId: deploymentKey(projectId, jobId),
      service: serviceOf(repository),
      environment,
      imageRef: `${repository}@${commitSha ?? payload.str("short_sha")}`,
      commitSha,
      actor: username(payload.value("user")),
      // A GitLab deployment is run by a CI job; the user is who started that job.
      actorType: "pipeline",
      description: clip(payload.value("commit_title"), 5000),
      status,
    },
  ]);
}

/** A job of a Pipeline Hook that starts an environment -> the same deployment, with its pipeline run. */
export function deploymentFromJob(payload: Obj, job: Obj, jobId: string, runId: string, commitSha: string, at: string): Draft | undefined {
  const env = maybeObj(job.value("environment"), `${job.path}.environment`);
  if (env === undefined || (env.optStr("action") ?? "start") !== "start") return undefined;
  const status = { running: "in_progress", success: "success", failed: "failure" }[String(job.value("status"))] as Status | undefined;
  const environment = environmentSlug(env.value("name"));
  const projectId = idOf(optChild(payload, "project")?.value("id"));
  // A skipped or manual environment job never deployed anything.
  if (status === undefined || environment === undefined || projectId === undefined) return undefined;
  const repository = projectPath(payload);
  return {
    type: "deployment",
    occurredAt: at,
    deploymentId: deploymentKey(projectId, jobId),
    service: serviceOf(repository),
    environment,
    imageRef: `${repository}@${commitSha}`,
    commitSha,
    pipeline: { provider: GITLAB_CI, runId },
    actor: username(job.value("user")),
    actorType: "pipeline",
    status,
  };
}
