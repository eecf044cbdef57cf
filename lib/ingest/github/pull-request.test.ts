import { describe, expect, it } from "vitest";
import { mapGithubDelivery } from "./index";
import { eventsOf, exampleOf, oneOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000002";

describe("pull_request", () => {
  it("maps an opened pull request field by field", () => {
    const payload = exampleOf("pull_request", (p) => p.action === "opened");
    const pr = payload.pull_request;
    expect(oneOf(mapGithubDelivery("pull_request", delivery, payload), "pull_request")).toEqual({
      id: `github:${delivery}:0`,
      type: "pull_request",
      occurredAt: pr.updated_at,
      repository: payload.repository.full_name,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      author: pr.user.login,
      state: pr.state,
      merged: false,
      mergedAt: undefined,
      mergedBy: undefined,
      mergeCommitSha: undefined,
      headSha: pr.head.sha,
      baseRef: pr.base.ref,
      openedAt: pr.created_at,
      url: pr.html_url,
    });
  });

  it("does not record the test-merge commit of a pull request closed without merging", () => {
    const payload = exampleOf("pull_request", (p) => p.action === "closed" && !p.pull_request.merged);
    expect(payload.pull_request.merge_commit_sha).toMatch(/^[a-f0-9]{40}$/);
    const event = oneOf(mapGithubDelivery("pull_request", delivery, payload), "pull_request");
    expect(event).toMatchObject({ state: "closed", merged: false, mergeCommitSha: undefined });
  });

  it("records who merged, when, and the merge commit", () => {
    // GitHub ships no merged example: this is its closed one, merged by another account.
    const payload = exampleOf("pull_request", (p) => p.action === "closed");
    const pr = { ...payload.pull_request, merged: true, merged_at: "2019-05-15T15:21:17Z", merged_by: payload.sender };
    const event = oneOf(mapGithubDelivery("pull_request", delivery, { ...payload, pull_request: pr }), "pull_request");
    expect(event).toMatchObject({
      merged: true,
      mergedAt: pr.merged_at,
      mergedBy: payload.sender.login,
      mergeCommitSha: pr.merge_commit_sha,
    });
  });

  it("treats a null body as an empty one", () => {
    const payload = exampleOf("pull_request", (p) => p.pull_request.body === null);
    expect(oneOf(mapGithubDelivery("pull_request", delivery, payload), "pull_request").body).toBe("");
  });
});

describe("pull_request_review", () => {
  it("maps the review and the pull request it belongs to", () => {
    const payload = exampleOf("pull_request_review", (p) => p.action === "submitted");
    const mapping = mapGithubDelivery("pull_request_review", delivery, payload);
    expect(eventsOf(mapping).map((e) => e.id)).toEqual([`github:${delivery}:0`, `github:${delivery}:1`]);
    expect(oneOf(mapping, "review")).toEqual({
      id: `github:${delivery}:0`,
      type: "review",
      occurredAt: payload.review.submitted_at,
      repository: payload.repository.full_name,
      pullNumber: payload.pull_request.number,
      reviewId: String(payload.review.id),
      reviewer: payload.review.user.login,
      state: payload.review.state,
      commitSha: payload.review.commit_id,
    });
    expect(oneOf(mapping, "pull_request")).toMatchObject({
      number: payload.pull_request.number,
      occurredAt: payload.pull_request.updated_at,
      headSha: payload.pull_request.head.sha,
      // The embedded pull request has no `merged` flag; no merged_at means not merged.
      merged: false,
    });
  });

  it("keeps a dismissal as a dismissed review", () => {
    const payload = exampleOf("pull_request_review", (p) => p.action === "dismissed");
    expect(oneOf(mapGithubDelivery("pull_request_review", delivery, payload), "review").state).toBe("dismissed");
  });

  it("lowercases the upper-case states of GitHub's REST API", () => {
    const payload = exampleOf("pull_request_review", (p) => p.action === "submitted");
    const review = { ...payload.review, state: "APPROVED" };
    expect(oneOf(mapGithubDelivery("pull_request_review", delivery, { ...payload, review }), "review").state).toBe("approved");
  });

  it("projects no review for an unsubmitted (pending) one, but still the pull request, and says why", () => {
    const payload = exampleOf("pull_request_review", (p) => p.action === "submitted");
    const review = { ...payload.review, state: "pending" };
    const mapping = mapGithubDelivery("pull_request_review", delivery, { ...payload, review });
    expect(eventsOf(mapping).map((e) => e.type)).toEqual(["pull_request"]);
    expect(mapping).toMatchObject({ notes: [expect.stringContaining("review.state")] });
  });
});
