import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rules } from "./catalogue";
import { evaluateDeployment, provenanceRuleIds } from "./evaluate";
import { compliantEvidence, makeDeployment, makeReview, stagingDeployment, t } from "./fixtures.test-helpers";
import { defaultPolicy, loadPolicy } from "./settings";

describe("evaluateDeployment", () => {
  it("passes every gate and image check for a fully compliant production change", () => {
    const outcomes = evaluateDeployment(compliantEvidence(), defaultPolicy);
    // Provenance is advisory by default: with no bundle sent, its rules have nothing to judge.
    const expected = rules.filter((r) => r.kind !== "drift" && !provenanceRuleIds.includes(r.id)).map((r) => r.id);
    expect(outcomes.map((o) => o.ruleId)).toEqual(expected);
    expect(outcomes.filter((o) => o.result !== "pass")).toEqual([]);
  });

  it("leaves production-apply rules out for a staging deployment", () => {
    const e = { ...compliantEvidence(), deployment: stagingDeployment, environment: { name: "staging", rank: 1, isProduction: false } };
    const ids = evaluateDeployment(e, defaultPolicy).map((o) => o.ruleId);
    expect(ids).toHaveLength(16);
    expect(ids.some((id) => id.startsWith("prod."))).toBe(false);
  });

  it("reports every broken link of a change pushed by hand", () => {
    const e = compliantEvidence();
    e.deployment = makeDeployment({ imageRef: "ghcr.io/acme/checkout:latest", actor: "mhernandez", actorType: "human", pipelineRunId: null, manifestCommitSha: null, deployedAt: t("2026-11-23T14:00:00Z") });
    e.deployRun = null;
    const failed = evaluateDeployment(e, defaultPolicy).filter((o) => o.result === "fail").map((o) => o.ruleId);
    expect(failed).toEqual(
      expect.arrayContaining(["deploy.immutable-ref", "deploy.manifest-from-vcs", "deploy.pipeline-actor", "prod.staging-verified", "prod.approved-before-deploy"]),
    );
  });

  it("a policy file requiring two approvals turns the same change into a failure", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "custody-policy-"));
    const file = path.join(dir, "policy.json");
    writeFileSync(file, JSON.stringify({ requiredApprovals: 2 }));
    const strict = loadPolicy(file);
    const byRule = (p: typeof strict) => new Map(evaluateDeployment(compliantEvidence(), p).map((o) => [o.ruleId, o.result]));
    expect(byRule(defaultPolicy).get("merge.independent-approval")).toBe("pass");
    expect(byRule(strict).get("merge.independent-approval")).toBe("fail");
    expect(byRule(strict).get("prod.approved-before-deploy")).toBe("fail");

    const e = compliantEvidence();
    e.reviews.push(makeReview({ id: 905, externalId: "2481384120", reviewer: "asato", submittedAt: t("2026-11-23T14:52:10Z") }));
    expect(evaluateDeployment(e, strict).every((o) => o.result === "pass")).toBe(true);
  });
});

describe("checks and the sources of their facts", () => {
  const tokenReview = { fact: "review" as const, ref: "review 2481370915 by mallory on acme/checkout#1842", source: { kind: "token" as const, id: "ci", verified: false }, rule: "accept.review", accepts: ["github-webhook"] };

  it("records the sources each check used in its evidence", () => {
    const outcome = evaluateDeployment(compliantEvidence(), defaultPolicy).find((o) => o.ruleId === "merge.independent-approval");
    expect(outcome?.evidence.sources).toEqual(
      expect.arrayContaining([
        { fact: "review", kind: "github-webhook", id: expect.any(String), verified: true },
        { fact: "pull_request", kind: "github-webhook", id: expect.any(String), verified: true },
        { fact: "deployment", kind: "github-webhook", id: expect.any(String), verified: true },
      ]),
    );
  });

  it("fails a check that lacked a set-aside fact, naming the fact, its source and the setting", () => {
    const e = compliantEvidence();
    e.reviews = [];
    e.setAside = [tokenReview];
    const outcome = evaluateDeployment(e, defaultPolicy).find((o) => o.ruleId === "merge.independent-approval");
    expect(outcome?.result).toBe("fail");
    expect(outcome?.reason).toContain('review 2481370915 by mallory on acme/checkout#1842 came from API token "ci", which the policy does not accept for reviews (accept.review: github-webhook)');
    expect(outcome?.evidence.notCounted).toEqual([{ fact: "review", ref: tokenReview.ref, source: tokenReview.source, rule: "accept.review" }]);
  });

  it("leaves a passing check alone when the set-aside fact was not needed", () => {
    const e = compliantEvidence();
    e.setAside = [tokenReview];
    expect(evaluateDeployment(e, defaultPolicy).find((o) => o.ruleId === "merge.independent-approval")?.result).toBe("pass");
  });

  it("fails every check of a deployment whose own record came from a refused source", () => {
    const e = compliantEvidence();
    e.setAside = [{ fact: "deployment", ref: `deployment ${e.deployment.externalId}`, source: { kind: "token", id: "laptop", verified: false }, rule: "accept.deployment", accepts: ["github-webhook"] }];
    expect(evaluateDeployment(e, defaultPolicy).every((o) => o.result === "fail" && o.reason.includes('API token "laptop"'))).toBe(true);
  });
});
