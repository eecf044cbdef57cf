import {
  type PullRequest,
  type PullRequestEvent,
  type PullRequestReviewEvent,
  type SimplePullRequest,
} from "@octokit/webhooks-types";
import { pullRequestEvent, reviewEvent } from "../../events/schema";
import { Fields } from "./fields";
import { type Draft, type Projection, project } from "./types";
import { clip, type Context, login, occurredAt, sha, time, url } from "./values";

type AnyPullRequest = PullRequest | SimplePullRequest;

const states = pullRequestEvent.shape.state;

function pullRequestDraft(pr: Fields<AnyPullRequest>, repository: string, ctx: Context): Draft | string {
  const rawState = pr.str("state");
  const state = states.safeParse(rawState);
  if (!state.success) return `${pr.path}.state: "${rawState.slice(0, 50)}" is neither open nor closed`;
  const mergedAt = time(pr.value("merged_at"));
  // Review deliveries embed a "simple" pull request that has no `merged` flag.
  const merged = pr.optBool("merged") ?? mergedAt !== undefined;
  return {
    type: "pull_request",
    occurredAt: occurredAt(ctx, `${pr.path}.updated_at`, time(pr.value("updated_at")), time(pr.value("created_at"))),
    repository,
    number: pr.int("number"),
    title: clip(pr.value("title"), 1000),
    body: clip(pr.value("body"), 200_000),
    author: login(pr.optObj("user")),
    state: state.data,
    merged,
    mergedAt,
    mergedBy: login(pr.optObj("merged_by")),
    // Before a merge this is GitHub's speculative test-merge commit, which nobody approved.
    mergeCommitSha: merged ? sha(pr.value("merge_commit_sha")) : undefined,
    headSha: sha(pr.optObj("head")?.value("sha")),
    baseRef: pr.optObj("base")?.optStr("ref"),
    openedAt: time(pr.value("created_at")),
    url: url(pr.value("html_url")),
  };
}

/** `pull_request` -> the pull request as it stands after this action (any action). */
export function mapPullRequest(payload: Fields<PullRequestEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const pr = Fields.of<AnyPullRequest>(payload.value("pull_request"), "pull_request");
  return project([pullRequestDraft(pr, repository, ctx)]);
}

const reviewStates = reviewEvent.shape.state;

/** `pull_request_review` -> the `review`, plus the embedded pull request's current state. */
export function mapPullRequestReview(payload: Fields<PullRequestReviewEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const pr = Fields.of<AnyPullRequest>(payload.value("pull_request"), "pull_request");
  const review = payload.obj("review");
  const reviewId = review.int("id");
  const pullRequest = pullRequestDraft(pr, repository, ctx);

  const reviewer = login(review.optObj("user"));
  const state = reviewStates.safeParse(review.str("state").toLowerCase());
  if (reviewer === undefined) {
    return project(["review.user: no login (a deleted account), so the review was not projected", pullRequest]);
  }
  if (!state.success) {
    // e.g. "pending": a review that has not been submitted approves nothing.
    return project([`review.state: "${review.str("state").slice(0, 50)}" is not a submitted review state`, pullRequest]);
  }
  const submitted: Draft = {
    type: "review",
    occurredAt: occurredAt(ctx, "review.submitted_at", time(review.value("submitted_at")), time(pr.value("updated_at"))),
    repository,
    pullNumber: pr.int("number"),
    reviewId: String(reviewId),
    reviewer,
    state: state.data,
    commitSha: sha(review.value("commit_id")),
  };
  return project([submitted, pullRequest]);
}
