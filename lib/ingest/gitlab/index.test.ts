import { describe, expect, it } from "vitest";
import { mapGitlabDelivery } from ".";
import { gitlabTime } from "./values";
import { gitlabFixture } from "./test-support";

const ctx = { receivedAt: "2026-12-02T08:00:00.000Z" };
const used = (name: Parameters<typeof gitlabFixture>[0]) => {
  const m = mapGitlabDelivery(`d-${name}`, gitlabFixture(name), ctx);
  if (m.status !== "used") throw new Error(`${name}: ${m.reason}`);
  return m.events;
};

describe("GitLab's documented payloads become Custody events", () => {
  it("push: one commit per pushed commit, with the branch and the pusher", () => {
    const events = used("push-hook");
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ type: "commit", repository: "mike/diaspora", sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", branch: "master", pushedBy: "jsmith", occurredAt: "2012-01-03T23:36:29+02:00" });
    // GitLab's example links are http://: a link must be https to be kept.
    expect((events[1] as { url?: string }).url).toBeUndefined();
  });

  it("tag push: the tagged commit, timed at receipt (the payload has no time)", () => {
    expect(used("tag-push-hook")).toEqual([expect.objectContaining({ type: "commit", repository: "jsmith/example", sha: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", occurredAt: ctx.receivedAt })]);
  });

  it("merge request opened: the merge request, open, with its last commit; the author unknown (only author_id) unless they acted", () => {
    const [pr] = used("merge-request-hook");
    expect(pr).toMatchObject({ type: "pull_request", repository: "gitlabhq/gitlab-test", number: 1, title: "MS-Viewport", state: "open", merged: false, headSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", baseRef: "master" });
    expect((pr as { author?: string }).author).toBeUndefined();
  });

  it("pipeline: a pipeline run from GitLab CI and a check run per job (the skipped production job deployed nothing)", () => {
    const events = used("pipeline-hook");
    expect(events[0]).toMatchObject({ type: "pipeline_run", provider: "gitlab-ci", runId: "31", repository: "gitlab-org/gitlab-test", commitSha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", status: "completed", conclusion: "success", event: "merge_request_event", actor: "root", occurredAt: "2016-08-12T15:26:29Z" });
    const checks = events.filter((e) => e.type === "check_run");
    expect(checks.length).toBe(5);
    expect(checks.find((c) => c.type === "check_run" && c.name === "production")).toMatchObject({ conclusion: "skipped" });
    expect(events.some((e) => e.type === "deployment")).toBe(false);
  });

  it("job: a check run keyed by the job, on the SHA (commit.id is the pipeline id, not a SHA)", () => {
    expect(used("job-hook")).toEqual([expect.objectContaining({ type: "check_run", checkId: "gitlab-job:1977", repository: "gitlab-org/gitlab-test", headSha: "2293ada6b400935a1378653304eaf6221e0fdb8f", name: "test", status: "queued" })]);
  });

  it("deployment: a deployment keyed by its job, with the full SHA from commit_url and the time with its offset", () => {
    expect(used("deployment-hook")).toEqual([
      expect.objectContaining({ type: "deployment", deploymentId: "gitlab:30:job:796", service: "test-deployment-webhooks", environment: "staging", commitSha: "279484c09fbe69ededfced8c1bb6e6d24616b468", actor: "root", status: "success", occurredAt: "2021-04-28T21:50:00+02:00" }),
    ]);
  });

  it("release: the released commit", () => {
    expect(used("release-hook")).toEqual([expect.objectContaining({ type: "commit", sha: "ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8", message: "Release v1.1" })]);
  });

  it("emoji (and any other kind): not used, with the reason", () => {
    expect(mapGitlabDelivery("d-emoji", gitlabFixture("emoji-hook"), ctx)).toEqual({ status: "not-used", reason: "object_kind emoji is not used" });
  });

  it("reads GitLab's three time formats", () => {
    expect(gitlabTime("2013-12-03T17:23:34Z")).toBe("2013-12-03T17:23:34Z");
    expect(gitlabTime("2016-08-12 15:23:28 UTC")).toBe("2016-08-12T15:23:28Z");
    expect(gitlabTime("2021-04-28 21:50:00 +0200")).toBe("2021-04-28T21:50:00+02:00");
    expect(gitlabTime("yesterday")).toBeUndefined();
  });
});
