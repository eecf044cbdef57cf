import { type CheckRunEvent, type WorkflowJobEvent } from "@octokit/webhooks-types";
import { Fields } from "./fields";
import { type Draft, notUsed, type Projection, project } from "./types";
import { checkConclusion, checkStatus, type Context, name, occurredAt, time, url } from "./values";

/** The fields `workflow_job` and `check_run` share, which is all a `check_run` event needs. */
interface CheckLike {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  created_at?: string;
}

function checkDraft(check: Fields<CheckLike>, checkId: string, repository: string, ctx: Context): Projection {
  const rawStatus = check.str("status");
  const status = checkStatus(rawStatus);
  if (status === undefined) return notUsed(`${check.path}.status: "${rawStatus.slice(0, 50)}" is not a status Custody knows`);
  const checkName = name(check.str("name"));
  if (checkName === undefined) return notUsed(`${check.path}.name: empty or longer than 200 characters`);

  const rawConclusion = check.optStr("conclusion");
  const conclusion = checkConclusion(rawConclusion);
  const notes =
    rawConclusion !== undefined && conclusion === undefined
      ? [`${check.path}.conclusion: "${rawConclusion.slice(0, 50)}" is unknown and was left out`]
      : [];
  const draft: Draft = {
    type: "check_run",
    occurredAt: occurredAt(
      ctx,
      `${check.path}.completed_at`,
      time(check.value("completed_at")),
      time(check.value("started_at")),
      time(check.value("created_at")),
    ),
    checkId,
    repository,
    headSha: check.str("head_sha"),
    name: checkName,
    status,
    conclusion,
    url: url(check.value("html_url")),
  };
  return project([...notes, draft]);
}

/** `workflow_job` -> `check_run` with id `job:<id>` (one job of a workflow run). */
export function mapWorkflowJob(payload: Fields<WorkflowJobEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const job = Fields.of<CheckLike>(payload.value("workflow_job"), "workflow_job");
  return checkDraft(job, `job:${job.int("id")}`, repository, ctx);
}

/** `check_run` -> `check_run` with id `check:<id>`. */
export function mapCheckRun(payload: Fields<CheckRunEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const check = Fields.of<CheckLike>(payload.value("check_run"), "check_run");
  return checkDraft(check, `check:${check.int("id")}`, repository, ctx);
}
