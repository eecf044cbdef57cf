import { type Draft, notUsed, type Projection, project } from "../github/types";
import { clip, type Context, fullSha, name, occurredAt } from "../github/values";
import { gitlabTime, link, type Obj, projectPath, child, optChild, children } from "./values";

/** Push Hook -> one `commit` per pushed commit (GitLab lists at most 20; the rest arrive with later pushes or MRs). */
export function mapPush(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const ref = payload.str("ref");
  const commits = children(payload, "commits");
  if (commits.length === 0) return notUsed("push carries no commits (a branch deletion or an empty push)");
  const branch = ref.startsWith("refs/heads/") ? name(ref.slice("refs/heads/".length)) : undefined;
  const pushedBy = name(payload.value("user_username")) ?? name(payload.value("user_name"));
  const drafts = commits.map(
    (commit): Draft => ({
      type: "commit",
      occurredAt: occurredAt(ctx, `${commit.path}.timestamp`, gitlabTime(commit.value("timestamp"))),
      repository,
      sha: commit.str("id"),
      message: clip(commit.value("message"), 100_000),
      author: { name: optChild(commit, "author")?.optStr("name"), email: optChild(commit, "author")?.optStr("email") },
      branch,
      pushedBy,
      url: link(commit.value("url")),
    }),
  );
  return { drafts, notes: [] };
}

/** Tag Push Hook -> the tagged commit (a tag push lists no commits; its time is the receipt's). */
export function mapTagPush(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const sha = fullSha(payload.value("checkout_sha")) ?? fullSha(payload.value("after"));
  if (sha === undefined || /^0+$/.test(sha)) return notUsed("tag push without a commit (a tag deletion)");
  return project([
    {
      type: "commit",
      occurredAt: occurredAt(ctx, "checkout_sha (a tag push carries no time)"),
      repository,
      sha,
      pushedBy: name(payload.value("user_username")) ?? name(payload.value("user_name")),
    },
  ]);
}

/** Release Hook -> the released commit. */
export function mapRelease(payload: Obj, ctx: Context): Projection {
  const repository = projectPath(payload);
  const commit = child(payload, "commit");
  return project([
    {
      type: "commit",
      occurredAt: occurredAt(ctx, "commit.timestamp", gitlabTime(commit.value("timestamp")), gitlabTime(payload.value("released_at"))),
      repository,
      sha: commit.str("id"),
      message: clip(commit.value("message"), 100_000),
      author: { name: optChild(commit, "author")?.optStr("name"), email: optChild(commit, "author")?.optStr("email") },
      url: link(commit.value("url")),
    },
  ]);
}
