import { describe, expect, it } from "vitest";
import { defaultPolicy } from "../settings";
import { evaluateContainerDrift, execIntoContainer, workloadChanger, type AuditRecord, type ObservedContainer, type RecordedEvidence } from ".";

const DIGEST = `sha256:${"1a".repeat(32)}`;
const OTHER = `sha256:${"2b".repeat(32)}`;
const at = new Date("2026-11-20T06:00:00Z");

const observed = (over: Partial<ObservedContainer> = {}): ObservedContainer => ({
  environment: "production", isProduction: true, namespace: "shop", kind: "Deployment", name: "checkout", service: "checkout", container: "checkout",
  imageRef: `ghcr.io/acme/checkout:4f2a9c1e`, digest: DIGEST, configHash: "cfg-1",
  managers: [{ manager: "argocd-controller", operation: "Update", time: "2026-11-19T10:00:00Z" }], lastAppliedBy: null,
  snapshot: { id: 7, externalId: "snap-7", observedAt: at }, ...over,
});
const deployment = { id: 1, externalId: "dep-1", deployedAt: new Date("2026-11-19T10:00:00Z"), imageRef: `ghcr.io/acme/checkout@${DIGEST}`, digest: DIGEST, actor: "github-actions[bot]" };
const recorded = (over: Partial<RecordedEvidence> = {}): RecordedEvidence => ({
  deployment, lastDeployment: deployment,
  builds: [{ id: 3, repository: "ghcr.io/acme/checkout", service: "checkout", builder: "github-actions", provenance: null, pipelineProvider: "github-actions", pipelineRunId: "9", tags: ["4f2a9c1e"], builtAt: new Date("2026-11-19T09:00:00Z") }],
  staging: { source: "deployment", ref: "dep-0", at: new Date("2026-11-19T09:30:00Z") },
  configBaseline: { snapshotExternalId: "snap-6", observedAt: new Date("2026-11-19T12:00:00Z"), configHash: "cfg-1" },
  otherTagDigests: [], retainedImages: 12, ...over,
});
const results = (o: ObservedContainer, r: RecordedEvidence) => Object.fromEntries(evaluateContainerDrift(o, r, defaultPolicy).map((x) => [x.ruleId, x.result]));

describe("drift rules on one observed container", () => {
  it("passes every rule for a recorded, CI-built, staged digest with its deployed config", () => {
    expect(new Set(Object.values(results(observed(), recorded())))).toEqual(new Set(["pass"]));
  });

  it("judges nothing about a digest while the image is still being pulled", () => {
    const r = results(observed({ digest: null }), recorded({ deployment: null, builds: [], staging: null }));
    expect(r["drift.unrecorded-digest"]).toBe("missing-evidence");
    expect(r["drift.not-built-by-ci"]).toBe("missing-evidence");
    expect(r["drift.prod-differs-from-staging"]).toBe("missing-evidence");
  });

  it("fails an unrecorded digest, a laptop build and a digest staging never ran", () => {
    const laptop = recorded().builds.map((b) => ({ ...b, builder: "dave@dave-macbook" }));
    const r = results(observed({ digest: OTHER }), recorded({ deployment: null, builds: laptop, staging: null }));
    expect(r).toMatchObject({ "drift.unrecorded-digest": "fail", "drift.not-built-by-ci": "fail", "drift.prod-differs-from-staging": "fail" });
  });

  it("treats latest, a missing tag, a branch tag and a moved SHA tag as mutable, and a digest as pinned", () => {
    const tag = (imageRef: string, other: string[] = []) => results(observed({ imageRef }), recorded({ otherTagDigests: other }))["drift.mutable-tag"];
    expect(tag("ghcr.io/acme/checkout:latest")).toBe("fail");
    expect(tag("ghcr.io/acme/checkout")).toBe("fail");
    expect(tag("ghcr.io/acme/checkout:hotfix-0615")).toBe("fail");
    expect(tag("ghcr.io/acme/checkout:4f2a9c1e", [OTHER])).toBe("fail");
    expect(tag(`docker.io/library/postgres:16.3@${DIGEST}`)).toBe("pass");
  });

  it("flags kubectl edit, patch, set image and client-side apply after the last deployment, not a pipeline apply at deploy time", () => {
    const manual = (manager: string, operation: string, time: string) =>
      results(observed({ managers: [{ manager, operation, time }] }), recorded())["drift.manual-apply"];
    for (const m of ["kubectl-edit", "kubectl-patch", "kubectl-set", "kubectl-client-side-apply"]) expect(manual(m, "Update", "2026-11-19T15:00:00Z")).toBe("fail");
    expect(manual("kubectl", "Update", "2026-11-19T15:00:00Z")).toBe("fail");
    expect(manual("kubectl-client-side-apply", "Update", "2026-11-19T10:01:00Z")).toBe("pass");
    // Server-side apply by hand (manager kubectl, operation Apply) hours after the deployment; at deploy time it is the pipeline's.
    expect(manual("kubectl", "Apply", "2026-11-19T15:00:00Z")).toBe("fail");
    expect(manual("kubectl", "Apply", "2026-11-19T10:02:00Z")).toBe("pass");
    expect(manual("argocd-controller", "Apply", "2026-11-19T15:00:00Z")).toBe("pass");
    expect(results(observed({ lastAppliedBy: "kubectl-client-side-apply" }), recorded())["drift.manual-apply"]).toBe("fail");
  });

  it("flags a config hash that differs from the one seen right after the last deployment", () => {
    expect(results(observed({ configHash: "cfg-2" }), recorded())["drift.config-changed"]).toBe("fail");
    expect(results(observed({ configHash: "cfg-2" }), recorded({ configBaseline: null }))["drift.config-changed"]).toBe("missing-evidence");
  });

  it("checks staging only in production and retention only for images with a build", () => {
    expect(results(observed({ isProduction: false, environment: "staging" }), recorded({ staging: null }))["drift.prod-differs-from-staging"]).toBeUndefined();
    expect(results(observed(), recorded({ retainedImages: 3 }))["drift.rollback-gap"]).toBe("fail");
    expect(results(observed(), recorded({ builds: [], retainedImages: null }))["drift.rollback-gap"]).toBeUndefined();
  });
});

const audit = (over: Partial<AuditRecord>): AuditRecord => ({
  id: 1, auditId: "a-1", environment: "production", verb: "create", username: "erin@acme.com", resource: "pods", subresource: "exec",
  namespace: "shop", name: "checkout-7d9f8b6c5-x2x9k", userAgent: "kubectl/v1.30.2", occurredAt: new Date("2026-11-19T14:00:00Z"), ...over,
});

describe("exec into a production container", () => {
  it("flags exec (create, or get over WebSocket), attach and ephemeral containers by a person in production, naming them", () => {
    expect(execIntoContainer(audit({}), true)?.evidence).toMatchObject({ user: "erin@acme.com", access: "exec" });
    expect(execIntoContainer(audit({ verb: "get" }), true)).not.toBeNull();
    expect(execIntoContainer(audit({ subresource: "attach", verb: "get" }), true)).not.toBeNull();
    expect(execIntoContainer(audit({ subresource: "ephemeralcontainers", verb: "patch" }), true)).not.toBeNull();
  });

  it("ignores staging, service accounts and port-forwards", () => {
    expect(execIntoContainer(audit({}), false)).toBeNull();
    expect(execIntoContainer(audit({ username: "system:serviceaccount:ci:smoke-tests" }), true)).toBeNull();
    expect(execIntoContainer(audit({ subresource: "portforward" }), true)).toBeNull();
  });

  it("attributes a kubectl edit to the person whose audited write is closest to the field manager's time", () => {
    const o = observed({ managers: [{ manager: "kubectl-edit", operation: "Update", time: "2026-11-19T15:00:00Z" }] });
    const writes = [
      audit({ id: 2, verb: "patch", resource: "deployments", subresource: null, name: "checkout", username: "frank@acme.com", occurredAt: new Date("2026-11-19T11:00:00Z") }),
      audit({ id: 3, verb: "patch", resource: "deployments", subresource: null, name: "checkout", username: "erin@acme.com", occurredAt: new Date("2026-11-19T15:00:02Z") }),
    ];
    expect(workloadChanger(o, recorded(), writes)?.actor).toBe("erin@acme.com");
  });
});
