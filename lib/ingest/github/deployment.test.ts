import { describe, expect, it } from "vitest";
import { mapGithubDelivery } from "./index";
import { exampleOf, oneOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000005";
const digest = `sha256:${"ab".repeat(32)}`;

describe("deployment", () => {
  it("maps a deployment asked for by a person to a pending deployment", () => {
    const payload = exampleOf("deployment", (p) => p.deployment.creator.type === "User");
    const d = payload.deployment;
    expect(oneOf(mapGithubDelivery("deployment", delivery, payload), "deployment")).toEqual({
      id: `github:${delivery}:0`,
      type: "deployment",
      occurredAt: d.created_at,
      deploymentId: `github:${d.id}`,
      service: payload.repository.name,
      environment: d.environment.toLowerCase(),
      imageRef: `${payload.repository.full_name}@${d.sha}`,
      digest: undefined,
      commitSha: d.sha,
      pipeline: undefined,
      actor: d.creator.login,
      actorType: "human",
      changeType: "normal",
      description: undefined,
      status: "pending",
    });
  });

  it("counts a bot's deployment as the pipeline's and links the workflow run that made it", () => {
    const payload = exampleOf("deployment", (p) => p.deployment.creator.type === "Bot" && p.workflow_run !== null && p.workflow_run !== undefined);
    const event = oneOf(mapGithubDelivery("deployment", delivery, payload), "deployment");
    expect(event).toMatchObject({
      actor: payload.deployment.creator.login,
      actorType: "pipeline",
      pipeline: { provider: "github-actions", runId: String(payload.workflow_run?.id) },
      environment: payload.deployment.environment,
    });
  });

  it("reads service, image and digest from the deployment payload, object or JSON string", () => {
    const payload = exampleOf("deployment", (p) => p.deployment.creator.type === "User");
    const extra = { service: "checkout", image: "ghcr.io/acme/checkout:1f2e3d4", digest, actorType: "pipeline" };
    for (const form of [extra, JSON.stringify(extra)]) {
      const deployment = { ...payload.deployment, payload: form };
      expect(oneOf(mapGithubDelivery("deployment", delivery, { ...payload, deployment }), "deployment")).toMatchObject({
        service: "checkout",
        imageRef: extra.image,
        digest,
        actorType: "pipeline",
      });
    }
  });

  it("takes the digest an image reference is pinned to, and ignores a digest that is not an OCI digest", () => {
    const payload = exampleOf("deployment", (p) => p.deployment.creator.type === "User");
    const pinned = { ...payload.deployment, payload: { imageRef: `ghcr.io/acme/checkout@${digest}` } };
    expect(oneOf(mapGithubDelivery("deployment", delivery, { ...payload, deployment: pinned }), "deployment").digest).toBe(digest);
    const bad = { ...payload.deployment, payload: { digest: `sha256:${payload.deployment.sha}` } };
    expect(oneOf(mapGithubDelivery("deployment", delivery, { ...payload, deployment: bad }), "deployment").digest).toBeUndefined();
  });

  it("turns an environment name into the lowercase form the schema wants", () => {
    const payload = exampleOf("deployment", (p) => p.deployment.creator.type === "User");
    const deployment = { ...payload.deployment, environment: "Production (EU)" };
    expect(oneOf(mapGithubDelivery("deployment", delivery, { ...payload, deployment }), "deployment").environment).toBe("production-eu");
    const unusable = { ...payload.deployment, environment: "!!!" };
    expect(mapGithubDelivery("deployment", delivery, { ...payload, deployment: unusable })).toMatchObject({
      status: "not-used",
      reason: expect.stringContaining("deployment.environment"),
    });
  });
});

describe("deployment_status", () => {
  it("updates the same deployment with the status's state and time", () => {
    const payload = exampleOf("deployment_status", (p) => p.deployment_status.state === "success");
    const created = oneOf(mapGithubDelivery("deployment", delivery, { ...payload, deployment_status: undefined }), "deployment");
    const event = oneOf(mapGithubDelivery("deployment_status", delivery, payload), "deployment");
    expect(event.deploymentId).toBe(created.deploymentId);
    expect(event).toMatchObject({
      deploymentId: `github:${payload.deployment.id}`,
      status: payload.deployment_status.state,
      occurredAt: payload.deployment_status.updated_at,
      environment: payload.deployment_status.environment,
      commitSha: payload.deployment.sha,
    });
  });

  it("maps in_progress as is, queued to pending, and uses nothing from an unknown state", () => {
    const payload = exampleOf("deployment_status", (p) => p.deployment_status.state === "in_progress");
    expect(oneOf(mapGithubDelivery("deployment_status", delivery, payload), "deployment").status).toBe("in_progress");
    const queued = { ...payload.deployment_status, state: "queued" };
    expect(oneOf(mapGithubDelivery("deployment_status", delivery, { ...payload, deployment_status: queued }), "deployment").status).toBe(
      "pending",
    );
    const odd = { ...payload.deployment_status, state: "exploded" };
    expect(mapGithubDelivery("deployment_status", delivery, { ...payload, deployment_status: odd })).toMatchObject({
      status: "not-used",
      reason: expect.stringContaining("deployment_status.state"),
    });
  });
});
