import type { EventOf } from "@/lib/events/schema";
import { CHECK_NAMES, forgeOf, pipelineProviderOf, repositoryOf, runUrlOf, webUrlOf, type Engineer } from "./catalog";
import type { DemoIds } from "./ids";
import type { PlannedChange } from "./plan";
import type { Rng } from "./prng";

export type Emit = { ids: DemoIds; rng: Rng };
export type SourceEvent = EventOf<"commit" | "pull_request" | "review" | "check_run" | "pipeline_run">;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** What later steps of the change need to refer back to. */
export type ChangeSource = { events: SourceEvent[]; prNumber: number; mergeSha: string; headSha: string; ciRunId: string };

const REASONS = [
  "p99 latency regressed after last week's traffic spike.",
  "Requested by the on-call review after the last incident.",
  "Keeps us within the SLO during peak hours.",
  "Follow-up from the quarterly dependency audit.",
  "Customers reported intermittent errors in this path.",
];

function body(change: PlannedChange, rng: Rng): string {
  if (change.flags.has("emergency")) {
    return [
      "## What",
      "Customers are being charged twice when the provider retries its callback.",
      "",
      "Merging without review to stop the impact; retro-review to follow.",
    ].join("\n");
  }
  const lines = ["## What", `${change.title}.`, "", "## Why", rng.pick(REASONS), "", "## Testing", "- Unit and integration tests pass in CI", "- Verified in staging after deploy"];
  if (change.flags.has("manual-instructions")) {
    lines.push(
      "",
      "## Rollout notes",
      `After this merges, run \`kubectl edit configmap ${change.service}-config -n shop\` in production and set CACHE_TTL_SECONDS=900,`,
      `then \`kubectl edit deployment/${change.service} -n shop\` to raise the memory limit to 1Gi.`,
    );
  }
  return lines.join("\n");
}

const slug = (title: string): string =>
  title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);

const commitAuthor = (e: Engineer) => ({ name: e.name, email: e.email, login: e.login });

/** The source-control and CI side of one change: commits, pull request, reviews, the CI run and its checks. */
export function emitChangeSource({ ids, rng }: Emit, change: PlannedChange, prNumber: number): ChangeSource {
  const { t, author, service } = change;
  const repository = repositoryOf(service);
  const branch = `${author.login}/${slug(change.title)}`;
  const url = webUrlOf(service);
  const events: SourceEvent[] = [];

  const commit = (at: number, message: string, who: Engineer, onBranch: string): string => {
    const sha = ids.commitSha();
    events.push({
      id: ids.event("commit"), type: "commit", occurredAt: iso(at), repository, sha, message, author: commitAuthor(who),
      committerLogin: onBranch === "main" ? "web-flow" : who.login, branch: onBranch, pushedBy: who.login, url: `${url}/commit/${sha}`,
    });
    return sha;
  };
  const shas = t.commits.map((at, i) => commit(at, i === 0 ? change.title : rng.pick(["Address review comments", "Fix flaky test", "Tidy up naming"]), author, branch));
  const reviewedSha = shas[shas.length - 1] ?? "";
  const headSha = t.staleCommit === null ? reviewedSha : commit(t.staleCommit, "One more tweak after approval", author, branch);

  const pr = { type: "pull_request" as const, repository, number: prNumber, title: change.title, body: body(change, rng),
    author: author.login, baseRef: "main", openedAt: iso(t.opened), url: forgeOf(service) === "gitlab" ? `${url}/-/merge_requests/${prNumber}` : `${url}/pull/${prNumber}` };
  events.push({ ...pr, id: ids.event("pull_request"), occurredAt: iso(t.opened), state: "open", merged: false, headSha: reviewedSha });

  if (change.commenter) {
    events.push({
      id: ids.event("review"), type: "review", occurredAt: iso(t.opened + 9 * 60_000), repository, pullNumber: prNumber,
      reviewId: ids.numeric("review"), reviewer: change.commenter.login, state: "commented", commitSha: reviewedSha,
    });
  }
  change.approvers.forEach((approver, i) => {
    events.push({
      id: ids.event("review"), type: "review", occurredAt: iso(t.reviews[i] ?? t.opened), repository, pullNumber: prNumber,
      reviewId: ids.numeric("review"), reviewer: approver.login, state: "approved", commitSha: reviewedSha,
    });
  });

  const mergeSha = commit(t.merged, `${change.title} (#${prNumber})`, author, "main");
  events.push({
    ...pr, id: ids.event("pull_request"), occurredAt: iso(t.merged), state: "closed", merged: true, mergedAt: iso(t.merged),
    mergedBy: author.login, mergeCommitSha: mergeSha, headSha,
  });

  const ciRunId = ids.numeric("run");
  const conclusion = (name: string) =>
    change.flags.has("failed-check") && name === "test" ? "failure" : change.flags.has("skipped-check") && name === "lint" ? "skipped" : "success";
  CHECK_NAMES.forEach((name, i) => {
    const checkId = ids.numeric("check");
    events.push({
      id: ids.event("check_run"), type: "check_run", occurredAt: iso(t.built - (CHECK_NAMES.length - i) * 40_000), checkId, repository,
      headSha: mergeSha, name, status: "completed", conclusion: conclusion(name), url: `${url}/runs/${checkId}`,
    });
  });
  events.push({
    id: ids.event("pipeline_run"), type: "pipeline_run", occurredAt: iso(t.ciEnd), provider: pipelineProviderOf(service), runId: ciRunId, attempt: 1,
    repository, workflow: "ci", commitSha: mergeSha, branch: "main", event: "push", actor: author.login, triggeringActor: author.login,
    status: "completed", conclusion: change.flags.has("failed-check") ? "failure" : "success", startedAt: iso(t.ciStart),
    completedAt: iso(t.ciEnd), url: runUrlOf(service, ciRunId),
  });
  return { events, prNumber, mergeSha, headSha, ciRunId };
}
