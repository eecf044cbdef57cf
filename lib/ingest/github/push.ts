import { type PushEvent } from "@octokit/webhooks-types";
import { type Fields } from "./fields";
import { type Draft, notUsed, type Projection } from "./types";
import { clip, type Context, login, name, occurredAt, time, unixSeconds, url } from "./values";

/** `push` -> one `commit` event per pushed commit. */
export function mapPush(payload: Fields<PushEvent>, ctx: Context): Projection {
  const repository = payload.obj("repository").str("full_name");
  const ref = payload.str("ref");
  const commits = payload.objs("commits");
  if (commits.length === 0) return notUsed("push carries no commits (a tag push or a branch deletion)");

  const branch = ref.startsWith("refs/heads/") ? name(ref.slice("refs/heads/".length)) : undefined;
  const pushedBy = name(payload.optObj("pusher")?.value("name")) ?? login(payload.optObj("sender"));
  const pushedAt =
    time(payload.optObj("head_commit")?.value("timestamp")) ?? unixSeconds(payload.obj("repository").value("pushed_at"));

  const drafts = commits.map((commit): Draft => {
    const author = commit.optObj("author");
    return {
      type: "commit",
      occurredAt: occurredAt(ctx, `${commit.path}.timestamp`, time(commit.value("timestamp")), pushedAt),
      repository,
      sha: commit.str("id"),
      message: clip(commit.value("message"), 100_000),
      author: author && {
        name: author.optStr("name"),
        email: author.optStr("email"),
        login: author.optStr("username"),
      },
      committerLogin: name(commit.optObj("committer")?.value("username")),
      branch,
      pushedBy,
      url: url(commit.value("url")),
    };
  });
  return { drafts, notes: [] };
}
