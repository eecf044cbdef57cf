import { describe, expect, it } from "vitest";
import { compliantEvidence, digest, makeAttestation, makeDeployment, makeReview, stagingDeployment, t } from "../fixtures.test-helpers";
import { defaultPolicy, resolvePolicy } from "../settings";
import { prodApprovedBeforeDeploy } from "./prod-approved-before-deploy";
import { prodBackupVerified } from "./prod-backup-verified";
import { prodDigestMatchesStaging } from "./prod-digest-matches-staging";
import { prodNetworkVerified } from "./prod-network-verified";
import { prodStagingVerified } from "./prod-staging-verified";

describe("prod.staging-verified", () => {
  it("fails a production digest that never ran in staging", () => {
    const out = prodStagingVerified({ ...compliantEvidence(), stagingDeployments: [] }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toBe(`${digest.prod} was never successfully deployed to staging before production.`);
  });

  it("fails when the staging verification came after the production apply", () => {
    const e = compliantEvidence();
    e.attestations.stagingVerification = [makeAttestation({ observedAt: t("2026-11-24T09:30:00Z") })];
    const out = prodStagingVerified(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("came after the production apply");
  });

  it("passes and names the staging deployment and the verification", () => {
    const out = prodStagingVerified(compliantEvidence(), defaultPolicy);
    expect(out.result).toBe("pass");
    expect(out.evidence).toMatchObject({
      stagingDeployment: { id: 5120, deployedAt: "2026-11-23T15:21:09.000Z" },
      verification: { id: 610, externalId: "staging-verify-8a2d1e7", observedAt: "2026-11-23T15:48:30.000Z" },
    });
  });

  it("needs only the staging deployment when the policy does not require verification", () => {
    const e = { ...compliantEvidence(), attestations: { ...compliantEvidence().attestations, stagingVerification: [] } };
    expect(prodStagingVerified(e, defaultPolicy).result).toBe("fail");
    expect(prodStagingVerified(e, resolvePolicy({ stagingVerificationRequired: false })).result).toBe("pass");
  });
});

describe("prod.digest-matches-staging", () => {
  it("fails when production runs a rebuild of what staging ran", () => {
    const rebuiltInStaging = { ...stagingDeployment, digest: digest.rebuilt };
    const out = prodDigestMatchesStaging({ ...compliantEvidence(), stagingDeployments: [rebuiltInStaging] }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain(`staging ran ${digest.rebuilt} for the same commit`);
  });

  it("passes when the digests are identical", () => {
    expect(prodDigestMatchesStaging(compliantEvidence(), defaultPolicy)).toMatchObject({ result: "pass", evidence: { matching: { id: 5120 } } });
  });
});

describe("prod.network-verified", () => {
  it("fails when the latest certificate check failed", () => {
    const e = compliantEvidence();
    e.attestations.network.push(makeAttestation({ id: 620, externalId: "certcheck-prod-20261124-0902", type: "certificate-check", subject: "checkout.acme.example", environment: "production", result: "fail", observedAt: t("2026-11-24T09:02:00Z") }));
    const out = prodNetworkVerified(e, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: "The latest certificate-check before the apply failed." });
  });
});

describe("prod.backup-verified", () => {
  it("fails when no backup verification exists", () => {
    const e = compliantEvidence();
    e.attestations.backup = [];
    expect(prodBackupVerified(e, defaultPolicy).result).toBe("fail");
  });

  it("fails a stale backup verification and passes under a longer policy window", () => {
    const e = compliantEvidence();
    e.attestations.backup = [makeAttestation({ id: 613, externalId: "backup-verify-checkout-db-20261122", type: "backup-verification", subject: "checkout-db", environment: "production", observedAt: t("2026-11-22T03:00:12Z") })];
    const out = prodBackupVerified(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("54.1 h old at the apply; policy allows 24 h");
    expect(prodBackupVerified(e, resolvePolicy({ attestationFreshnessHours: 72 })).result).toBe("pass");
  });

  it("ignores a verification recorded after the apply", () => {
    const e = compliantEvidence();
    e.attestations.backup = [makeAttestation({ type: "backup-verification", subject: "checkout-db", observedAt: t("2026-11-24T10:00:00Z") })];
    expect(prodBackupVerified(e, defaultPolicy).result).toBe("fail");
  });
});

describe("prod.approved-before-deploy", () => {
  it("fails a change deployed before it was approved", () => {
    const e = compliantEvidence();
    e.reviews = [makeReview({ submittedAt: t("2026-11-24T11:20:00Z") })];
    const out = prodApprovedBeforeDeploy(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.evidence.approval).toMatchObject({ id: 902, submittedAt: "2026-11-24T11:20:00.000Z" });
  });

  it("names an emergency change approved retrospectively", () => {
    const e = compliantEvidence();
    e.deployment = makeDeployment({ changeType: "emergency" });
    e.reviews = [makeReview({ submittedAt: t("2026-11-24T11:20:00Z") })];
    expect(prodApprovedBeforeDeploy(e, defaultPolicy).reason).toContain("emergency change, approved retrospectively");
  });

  it("passes when the approval precedes the deployment", () => {
    expect(prodApprovedBeforeDeploy(compliantEvidence(), defaultPolicy).result).toBe("pass");
  });
});
