import { describe, expect, it } from "vitest";
import { mapGithubDelivery } from "./index";
import { exampleOf, oneOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000004";

describe("workflow_job", () => {
  it("maps a completed job to a check run with a job: id", () => {
    const payload = exampleOf("workflow_job", (p) => p.workflow_job.conclusion === "failure");
    const job = payload.workflow_job;
    expect(oneOf(mapGithubDelivery("workflow_job", delivery, payload), "check_run")).toEqual({
      id: `github:${delivery}:0`,
      type: "check_run",
      occurredAt: job.completed_at,
      checkId: `job:${job.id}`,
      repository: payload.repository.full_name,
      headSha: job.head_sha,
      name: job.name,
      status: "completed",
      conclusion: "failure",
      url: job.html_url,
    });
  });

  it("dates a running job by its start and counts a waiting one as queued", () => {
    const running = exampleOf("workflow_job", (p) => p.workflow_job.status === "in_progress");
    expect(oneOf(mapGithubDelivery("workflow_job", delivery, running), "check_run")).toMatchObject({
      status: "in_progress",
      occurredAt: running.workflow_job.started_at,
      conclusion: undefined,
    });
    const waiting = exampleOf("workflow_job", (p) => String(p.workflow_job.status) === "waiting");
    expect(oneOf(mapGithubDelivery("workflow_job", delivery, waiting), "check_run").status).toBe("queued");
  });
});

describe("check_run", () => {
  it("maps a completed check run with a check: id", () => {
    const payload = exampleOf("check_run", (p) => p.check_run.conclusion === "failure");
    const check = payload.check_run;
    expect(oneOf(mapGithubDelivery("check_run", delivery, payload), "check_run")).toEqual({
      id: `github:${delivery}:0`,
      type: "check_run",
      occurredAt: check.completed_at,
      checkId: `check:${check.id}`,
      repository: payload.repository.full_name,
      headSha: check.head_sha,
      name: check.name,
      status: check.status,
      conclusion: check.conclusion,
      url: check.html_url,
    });
  });

  it("maps a queued check run without a conclusion, dated by its start", () => {
    const payload = exampleOf("check_run", (p) => p.check_run.status === "queued");
    expect(oneOf(mapGithubDelivery("check_run", delivery, payload), "check_run")).toMatchObject({
      status: "queued",
      conclusion: undefined,
      occurredAt: payload.check_run.started_at,
    });
  });
});
