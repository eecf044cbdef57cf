import { describe, expect, it } from "vitest";
import { compliantEvidence, digest, image, makeAttestation, makeBuild, makeDeployment, makeReview, makeRun, sha, t } from "../fixtures.test-helpers";
import { defaultPolicy } from "../settings";
import { deployBuiltByCi } from "./deploy-built-by-ci";
import { deployCommitMatches } from "./deploy-commit-matches";
import { deployImmutableRef } from "./deploy-immutable-ref";
import { deployManifestFromVcs } from "./deploy-manifest-from-vcs";
import { deployPipelineActor } from "./deploy-pipeline-actor";
import { deployRollbackReady } from "./deploy-rollback-ready";

describe("deploy.built-by-ci", () => {
  it("fails an image built on a laptop", () => {
    const build = makeBuild({ builder: "mhernandez@mbp-mhernandez.local", pipelineProvider: null, pipelineRunId: null, provenance: null });
    const out = deployBuiltByCi({ ...compliantEvidence(), build, buildRun: null }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("mhernandez@mbp-mhernandez.local, which is not a CI identity");
  });

  it("fails when a CI name is claimed but the SLSA builder is not a CI platform", () => {
    const build = makeBuild({ provenance: { builder: { id: "local://docker-desktop" } } });
    expect(deployBuiltByCi({ ...compliantEvidence(), build }, defaultPolicy).result).toBe("fail");
  });

  it("fails when no build record has the deployed digest", () => {
    const out = deployBuiltByCi({ ...compliantEvidence(), build: null, buildRun: null }, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", evidence: { digest: digest.prod } });
  });

  it("passes a CI build and names its run", () => {
    const out = deployBuiltByCi(compliantEvidence(), defaultPolicy);
    expect(out.result).toBe("pass");
    expect(out.evidence.buildRun).toMatchObject({ provider: "github-actions", runId: "11873349021" });
  });

  it("is missing evidence when the named run was never ingested", () => {
    expect(deployBuiltByCi({ ...compliantEvidence(), buildRun: null }, defaultPolicy).result).toBe("missing-evidence");
  });
});

describe("deploy.commit-matches", () => {
  it("fails when the deployed tag is not the merge commit", () => {
    const deployment = makeDeployment({ imageRef: `${image}:${sha.head}` });
    const out = deployCommitMatches({ ...compliantEvidence(), deployment }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain(`"${sha.head}" is not the merge commit SHA 8a2d1e7c3dad`);
  });

  it("fails when the image was built from the PR head instead of the merge commit", () => {
    const build = makeBuild({ commitSha: sha.head, tags: [sha.head] });
    expect(deployCommitMatches({ ...compliantEvidence(), build }, defaultPolicy).result).toBe("fail");
  });

  it("accepts a short-SHA tag of the merge commit", () => {
    const deployment = makeDeployment({ imageRef: `${image}:sha-8a2d1e7` });
    expect(deployCommitMatches({ ...compliantEvidence(), deployment }, defaultPolicy).result).toBe("pass");
  });
});

describe("deploy.immutable-ref", () => {
  it("fails :latest", () => {
    const deployment = makeDeployment({ imageRef: `${image}:latest` });
    const out = deployImmutableRef({ ...compliantEvidence(), deployment }, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", evidence: { tag: "latest", digest: null } });
  });

  it("fails a bare name and a semver tag", () => {
    for (const imageRef of [image, `${image}:v2.14.0`]) {
      expect(deployImmutableRef({ ...compliantEvidence(), deployment: makeDeployment({ imageRef }) }, defaultPolicy).result).toBe("fail");
    }
  });

  it("passes a digest and a commit-SHA tag, including behind a registry port", () => {
    for (const imageRef of [`${image}@${digest.prod}`, `registry.acme.internal:5000/checkout:${sha.merge}`]) {
      expect(deployImmutableRef({ ...compliantEvidence(), deployment: makeDeployment({ imageRef }) }, defaultPolicy).result).toBe("pass");
    }
  });
});

describe("deploy.manifest-from-vcs", () => {
  it("fails when no manifest commit is recorded", () => {
    const deployment = makeDeployment({ manifestCommitSha: null });
    expect(deployManifestFromVcs({ ...compliantEvidence(), deployment }, defaultPolicy).result).toBe("fail");
  });
});

describe("deploy.pipeline-actor", () => {
  it("fails a deployment run by a person", () => {
    const deployment = makeDeployment({ actor: "tnguyen", actorType: "human", pipelineRunId: null });
    const out = deployPipelineActor({ ...compliantEvidence(), deployment, deployRun: null }, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: "Deployed by a person (tnguyen), not by the pipeline." });
  });

  it("fails when the author started the production pipeline by hand", () => {
    const e = compliantEvidence();
    const deployRun = makeRun({ runId: "11891022374", event: "workflow_dispatch", actor: "mhernandez", triggeringActor: "mhernandez" });
    const out = deployPipelineActor({ ...e, deployRun }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toMatch(/mhernandez started the deployment of a change they wrote/);
  });

  it("fails when the only approver also started the deployment", () => {
    const deployRun = makeRun({ runId: "11891022374", event: "workflow_dispatch", triggeringActor: "jkowalski" });
    expect(deployPipelineActor({ ...compliantEvidence(), deployRun }, defaultPolicy).result).toBe("fail");
  });

  it("passes when a second approver started it, and when a push triggered it", () => {
    const e = compliantEvidence();
    e.reviews.push(makeReview({ id: 904, externalId: "2481380077", reviewer: "asato", submittedAt: t("2026-11-23T14:41:00Z") }));
    const byApprover = makeRun({ runId: "11891022374", event: "workflow_dispatch", triggeringActor: "jkowalski" });
    expect(deployPipelineActor({ ...e, deployRun: byApprover }, defaultPolicy).result).toBe("pass");
    const byPush = makeRun({ runId: "11891022374", event: "push", triggeringActor: "mhernandez" });
    expect(deployPipelineActor({ ...compliantEvidence(), deployRun: byPush }, defaultPolicy).result).toBe("pass");
  });
});

describe("deploy.rollback-ready", () => {
  it("fails when fewer images are retained than policy requires", () => {
    const out = deployRollbackReady({ ...compliantEvidence(), retainedImages: 4 }, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", evidence: { retainedImages: 4, requiredRetainedImages: 10 } });
  });

  it("fails when the last rollback test before the deployment failed", () => {
    const e = compliantEvidence();
    e.attestations.rollback.push(makeAttestation({ id: 615, externalId: "rollback-drill-checkout-20261122", type: "rollback-test", subject: "checkout", result: "fail", observedAt: t("2026-11-22T10:00:00Z") }));
    expect(deployRollbackReady(e, defaultPolicy).result).toBe("fail");
  });
});
