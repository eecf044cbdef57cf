import { type Draft, type Projection, project } from "../github/types";
import { clip, type Context, name, occurredAt, sha } from "../github/values";
import { gitlabTime, idOf, link, type Obj, projectPath, username, child, optChild } from "./values";

const approving = new Set(["approved", "approval"]);
const withdrawing = new Set(["unapproved", "unapproval"]);

/**
 * Merge Request Hook -> the merge request as it stands after the action, and for `approved` /
 * `approval` an approving review by the user who acted (`unapproved` / `unapproval`: a dismissal).
 * GitLab gives the author only as `author_id`: the author's name is known when the acting user is
 * the author (they opened it, or approved their own merge request).
 */
export function mapMergeRequest(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const mr = child(payload, "object_attributes");
  const action = mr.optStr("action");
  const user = payload.value("user");
  const actor = username(user);
  const actorId = idOf((user as { id?: unknown } | null)?.id);
  const authorId = idOf(mr.value("author_id"));
  const author = actorId !== undefined && actorId === authorId ? actor : undefined;
  const rawState = mr.str("state");
  const merged = rawState === "merged" || action === "merge";
  const updated = gitlabTime(mr.value("updated_at"));
  const occurred = occurredAt(ctx, "object_attributes.updated_at", updated, gitlabTime(mr.value("created_at")));
  const lastCommit = sha(optChild(mr, "last_commit")?.value("id"));
  const number = mr.int("iid");
  const pullRequest: Draft | string =
    rawState === "opened" || rawState === "closed" || rawState === "merged" || rawState === "locked"
      ? {
          type: "pull_request",
          occurredAt: occurred,
          repository,
          number,
          title: clip(mr.value("title"), 1000),
          body: clip(mr.value("description"), 200_000),
          author,
          state: rawState === "opened" || rawState === "locked" ? "open" : "closed",
          merged,
          mergedAt: merged ? (gitlabTime(mr.value("merged_at")) ?? occurred) : undefined,
          mergedBy: action === "merge" ? actor : undefined,
          // Fast-forward merges leave merge_commit_sha empty: the merged commit is then the last one.
          mergeCommitSha: merged ? (sha(mr.value("merge_commit_sha")) ?? sha(mr.value("squash_commit_sha")) ?? lastCommit) : undefined,
          headSha: lastCommit,
          baseRef: name(mr.value("target_branch")),
          openedAt: gitlabTime(mr.value("created_at")),
          url: link(mr.value("url")),
        }
      : `object_attributes.state: "${rawState.slice(0, 50)}" is not a merge request state Custody knows`;

  if (action === undefined || (!approving.has(action) && !withdrawing.has(action))) return project([pullRequest]);
  if (actor === undefined) return project(["user.username: missing, so the approval was not projected", pullRequest]);
  const review: Draft = {
    type: "review",
    occurredAt: occurred,
    repository,
    pullNumber: number,
    // One review per approval action: GitLab has no review id; who, which MR and when identify it.
    reviewId: `gitlab:!${number}:${approving.has(action) ? "approved" : "unapproved"}:${actorId ?? actor}:${occurred}`,
    reviewer: actor,
    state: approving.has(action) ? "approved" : "dismissed",
    commitSha: lastCommit,
  };
  return project([review, pullRequest]);
}
