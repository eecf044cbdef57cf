import { describe, expect, it } from "vitest";
import { mapGithubDelivery } from "./index";
import { exampleOf, oneOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000003";

describe("workflow_run", () => {
  it("maps a completed run to a pipeline run field by field", () => {
    const payload = exampleOf("workflow_run", (p) => p.workflow_run.conclusion === "success");
    const run = payload.workflow_run;
    expect(oneOf(mapGithubDelivery("workflow_run", delivery, payload), "pipeline_run")).toEqual({
      id: `github:${delivery}:0`,
      type: "pipeline_run",
      occurredAt: run.updated_at,
      provider: "github-actions",
      runId: String(run.id),
      attempt: run.run_attempt,
      repository: payload.repository.full_name,
      // This example's workflow has an empty name; its file still identifies it.
      workflow: run.name || run.path,
      commitSha: run.head_sha,
      branch: run.head_branch,
      event: run.event,
      actor: run.actor.login,
      triggeringActor: run.triggering_actor.login,
      status: "completed",
      conclusion: "success",
      startedAt: run.run_started_at,
      completedAt: run.updated_at,
      url: run.html_url,
    });
  });

  it("takes the run's own status, not the delivery's action, and no completion time before completion", () => {
    const payload = exampleOf("workflow_run", (p) => p.action === "completed" && p.workflow_run.status === "queued");
    const event = oneOf(mapGithubDelivery("workflow_run", delivery, payload), "pipeline_run");
    expect(event).toMatchObject({ status: "queued", workflow: payload.workflow_run.name, completedAt: undefined, conclusion: undefined });
  });

  it("counts a startup failure as a failure and a waiting run as queued", () => {
    const payload = exampleOf("workflow_run", (p) => p.workflow_run.conclusion === "success");
    const failed = { ...payload.workflow_run, conclusion: "startup_failure" };
    expect(oneOf(mapGithubDelivery("workflow_run", delivery, { ...payload, workflow_run: failed }), "pipeline_run").conclusion).toBe("failure");
    const waiting = { ...payload.workflow_run, status: "waiting", conclusion: null };
    expect(oneOf(mapGithubDelivery("workflow_run", delivery, { ...payload, workflow_run: waiting }), "pipeline_run").status).toBe("queued");
  });

  it("leaves out a conclusion it does not know, and says so", () => {
    const payload = exampleOf("workflow_run", (p) => p.workflow_run.conclusion === "success");
    const run = { ...payload.workflow_run, conclusion: "exploded" };
    const mapping = mapGithubDelivery("workflow_run", delivery, { ...payload, workflow_run: run });
    expect(oneOf(mapping, "pipeline_run").conclusion).toBeUndefined();
    expect(mapping).toMatchObject({ notes: [expect.stringContaining("workflow_run.conclusion")] });
  });
});
