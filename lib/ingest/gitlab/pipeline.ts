import { type Draft, notUsed, type Projection, project } from "../github/types";
import { type Context, name, occurredAt, sha } from "../github/values";
import { deploymentFromJob } from "./deployment";
import { gitlabTime, idOf, link, maybeObj, type Obj, projectPath, username, child } from "./values";

export const GITLAB_CI = "gitlab-ci";

type Status = { status: "queued" | "in_progress" | "completed"; conclusion?: "success" | "failure" | "cancelled" | "skipped" | "action_required" };

/** GitLab's pipeline and job statuses in Custody's run vocabulary; undefined for one it does not know. */
export function runStatus(value: unknown): Status | undefined {
  switch (value) {
    case "created":
    case "waiting_for_resource":
    case "waiting_for_callback":
    case "preparing":
    case "pending":
    case "scheduled":
      return { status: "queued" };
    case "running":
      return { status: "in_progress" };
    case "success":
      return { status: "completed", conclusion: "success" };
    case "failed":
      return { status: "completed", conclusion: "failure" };
    case "canceled":
    case "canceling":
      return { status: "completed", conclusion: "cancelled" };
    case "skipped":
      return { status: "completed", conclusion: "skipped" };
    case "manual":
      return { status: "completed", conclusion: "action_required" };
    default:
      return undefined;
  }
}

/** Pipeline Hook -> `pipeline_run`, a `check_run` per job, and the deployments its environment jobs ran. */
export function mapPipeline(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const attrs = child(payload, "object_attributes");
  const runId = idOf(attrs.value("id"));
  if (runId === undefined) return notUsed("object_attributes.id: not a pipeline id");
  const status = runStatus(attrs.value("status"));
  if (status === undefined) return notUsed(`object_attributes.status: "${String(attrs.value("status")).slice(0, 50)}" is not a pipeline status Custody knows`);
  const commitSha = sha(attrs.value("sha"));
  const finished = gitlabTime(attrs.value("finished_at"));
  const created = gitlabTime(attrs.value("created_at"));
  const actor = username(payload.value("user"));
  const occurred = occurredAt(ctx, "object_attributes.created_at", status.status === "completed" ? finished : undefined, created);
  const results: Array<Draft | string> = [
    {
      type: "pipeline_run",
      occurredAt: occurred,
      provider: GITLAB_CI,
      runId,
      repository,
      workflow: name(attrs.value("name")) ?? "pipeline",
      commitSha,
      branch: attrs.optBool("tag") === true ? undefined : name(attrs.value("ref")),
      event: name(attrs.value("source")),
      actor,
      triggeringActor: actor,
      status: status.status,
      conclusion: status.conclusion,
      startedAt: created,
      completedAt: status.status === "completed" ? finished : undefined,
      url: link(attrs.value("url")),
    },
  ];
  for (const [i, build] of (payload.optArr("builds") ?? []).entries()) {
    const job = maybeObj(build, `builds[${i}]`);
    if (job === undefined || commitSha === undefined) continue;
    const jobStatus = runStatus(job.value("status"));
    const jobId = idOf(job.value("id"));
    const jobName = name(job.value("name"));
    if (jobStatus === undefined || jobId === undefined || jobName === undefined) {
      results.push(`builds[${i}]: no id, name or known status, left out`);
      continue;
    }
    const jobTime = gitlabTime(job.value("finished_at")) ?? gitlabTime(job.value("started_at")) ?? gitlabTime(job.value("created_at")) ?? occurred;
    results.push({
      type: "check_run",
      occurredAt: jobTime,
      checkId: `gitlab-job:${jobId}`,
      repository,
      headSha: commitSha,
      name: jobName,
      status: jobStatus.status,
      conclusion: jobStatus.conclusion,
    });
    const deployment = deploymentFromJob(payload, job, jobId, runId, commitSha, jobTime);
    if (deployment !== undefined) results.push(deployment);
  }
  return project(results);
}

/** Job Hook (`object_kind: build`) -> a `check_run` for the job. Its `commit.id` is the pipeline id, not a SHA. */
export function mapJob(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const jobId = idOf(payload.value("build_id"));
  const headSha = sha(payload.value("sha"));
  const status = runStatus(payload.value("build_status"));
  if (jobId === undefined || headSha === undefined) return notUsed("build_id or sha missing: the job cannot be linked");
  if (status === undefined) return notUsed(`build_status: "${String(payload.value("build_status")).slice(0, 50)}" is not a job status Custody knows`);
  return project([
    {
      type: "check_run",
      occurredAt: occurredAt(
        ctx,
        "build_created_at",
        gitlabTime(payload.value("build_finished_at")),
        gitlabTime(payload.value("build_started_at")),
        gitlabTime(payload.value("build_created_at")),
      ),
      checkId: `gitlab-job:${jobId}`,
      repository,
      headSha,
      name: payload.str("build_name"),
      status: status.status,
      conclusion: status.conclusion,
    },
  ]);
}
