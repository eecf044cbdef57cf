import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { mapGithubDelivery } from "./index";
import { eventsOf, exampleOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000001";

describe("push", () => {
  it("maps every pushed commit to a commit event carrying the payload's own values", () => {
    const push = exampleOf("push", (p) => p.commits.length > 0 && p.ref.startsWith("refs/heads/"));
    const events = eventsOf(mapGithubDelivery("push", delivery, push));

    expect(events).toHaveLength(push.commits.length);
    push.commits.forEach((commit, n) => {
      expect(events[n]).toEqual({
        id: `github:${delivery}:${n}`,
        type: "commit",
        occurredAt: commit.timestamp,
        repository: push.repository.full_name,
        sha: commit.id,
        message: commit.message,
        author: { name: commit.author.name, email: commit.author.email, login: commit.author.username },
        committerLogin: commit.committer.username,
        branch: push.ref.replace("refs/heads/", ""),
        pushedBy: push.pusher.name,
        url: commit.url,
      });
    });
  });

  it("uses nothing from a tag push or a branch deletion, which carry no commits", () => {
    const tagPush = exampleOf("push", (p) => p.commits.length === 0 && p.ref.startsWith("refs/tags/"));
    expect(mapGithubDelivery("push", delivery, tagPush)).toEqual({ status: "not-used", reason: expect.stringMatching(/no commits/) });
  });

  it("dates a commit without a timestamp by the head commit, then by the push time", () => {
    const push = exampleOf("push", (p) => p.commits.length > 0);
    const [commit] = push.commits;
    if (!commit || !push.head_commit) throw new Error("example changed");
    Reflect.deleteProperty(commit, "timestamp");
    expect(eventsOf(mapGithubDelivery("push", delivery, push))[0]?.occurredAt).toBe(push.head_commit.timestamp);

    push.head_commit = null;
    const pushedAt = new Date(Number(push.repository.pushed_at) * 1000).toISOString();
    expect(eventsOf(mapGithubDelivery("push", delivery, push))[0]?.occurredAt).toBe(pushedAt);
  });

  it("leaves the branch out for a ref that is not a branch", () => {
    const push = exampleOf("push", (p) => p.commits.length > 0);
    push.ref = "refs/tags/v1.2.3";
    expect(eventsOf(mapGithubDelivery("push", delivery, push))[0]).toMatchObject({ type: "commit", branch: undefined });
  });

  it("rejects a commit without an id, naming the field", () => {
    const push = exampleOf("push", (p) => p.commits.length > 0);
    const broken: unknown = { ...push, commits: [{ ...push.commits[0], id: undefined }] };
    expect(() => mapGithubDelivery("push", delivery, broken)).toThrow(new AppError("VALIDATION", "commits[0].id: required"));
  });

  it("keeps the other commits when one has an id that is not a SHA, and says why", () => {
    const push = exampleOf("push", (p) => p.commits.length > 0);
    const [commit] = push.commits;
    if (!commit) throw new Error("example changed");
    push.commits = [{ ...commit, id: "not-a-sha" }, commit];
    const mapping = mapGithubDelivery("push", delivery, push);
    expect(eventsOf(mapping).map((e) => e.id)).toEqual([`github:${delivery}:1`]);
    expect(mapping).toMatchObject({ notes: [expect.stringMatching(/^commit left out: sha: /)] });
  });
});
