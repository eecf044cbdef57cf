import { type WorkflowRunEvent } from "@octokit/webhooks-types";
import { type Fields } from "./fields";
import { notUsed, type Projection, project } from "./types";
import { checkConclusion, checkStatus, type Context, login, name, occurredAt, sha, time, url } from "./values";

/** `workflow_run` -> `pipeline_run` from GitHub Actions. */
export function mapWorkflowRun(payload: Fields<WorkflowRunEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const run = payload.obj("workflow_run");
  const runId = String(run.int("id"));
  const rawStatus = run.str("status");
  const status = checkStatus(rawStatus);
  if (status === undefined) return notUsed(`workflow_run.status: "${rawStatus.slice(0, 50)}" is not a run status Custody knows`);

  const rawConclusion = run.optStr("conclusion");
  const conclusion = checkConclusion(rawConclusion);
  const notes =
    rawConclusion !== undefined && conclusion === undefined
      ? [`workflow_run.conclusion: "${rawConclusion.slice(0, 50)}" is unknown and was left out`]
      : [];
  const updatedAt = time(run.value("updated_at"));
  const attempt = run.optInt("run_attempt");

  return project([
    ...notes,
    {
      type: "pipeline_run",
      occurredAt: occurredAt(ctx, "workflow_run.updated_at", updatedAt, time(run.value("run_started_at")), time(run.value("created_at"))),
      provider: "github-actions",
      runId,
      attempt: attempt !== undefined && attempt > 0 ? attempt : undefined,
      repository,
      // An unnamed workflow is still identified by its file.
      workflow: name(run.value("name")) ?? name(run.value("path")),
      commitSha: sha(run.value("head_sha")),
      branch: name(run.value("head_branch")),
      event: name(run.value("event")),
      actor: login(run.optObj("actor")),
      triggeringActor: login(run.optObj("triggering_actor")),
      status,
      conclusion,
      startedAt: time(run.value("run_started_at")),
      completedAt: status === "completed" ? updatedAt : undefined,
      url: url(run.value("html_url")),
    },
  ]);
}
