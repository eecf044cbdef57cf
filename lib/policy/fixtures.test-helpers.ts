import type { Attestation, CheckRun, Commit, Deployment, ImageBuild, PipelineRun, PullRequest, Review } from "@/db/schema";
import { emptyAttestations, type DeploymentEvidence } from "./evidence";

/**
 * One compliant change to `checkout`, followed from PR to production, plus factories for rows.
 * Tests break one link at a time from here.
 */
export const sha = {
  merge: "8a2d1e7c3dad03a8e64f0836ab2a4a3b95b598c0",
  head: "a166c9dd7f838398b3ab5bb3ff0e20405765f9cc",
  first: "1c931493ceace12514381c2ae679d8d538a27a14",
  manifests: "4b6f0e2d9c81a7355e0f19d2c6a8b3e4f7d90c12",
};
export const digest = {
  prod: "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c",
  rebuilt: "sha256:c21b9c9e8360a4f47e80a22254ed68ce3195ea64fde1cbdd5f4f4b28322148fa",
  distroless: "sha256:6729ca7f286fbb55159440e5d18207fc84aaab7b75df33edf65c2e565ef3abcb",
  node: "sha256:fd5e6d67e5ad926d7654168f1e170d7b479824764a18d5841c53f40b85666a5c",
};
export const image = "ghcr.io/acme/checkout";
export const t = (s: string): Date => new Date(s);
const created = t("2026-11-25T00:00:00Z");
/** Facts in these fixtures came through GitHub's signed webhook unless a test says otherwise. */
export const webhookSource = { sourceKind: "github-webhook", sourceId: "72d3162e-cc78-11e3-81ab-4c9367dc0958", sourceVerified: true, sourceKey: "github-webhook", sourceKeys: ["github-webhook"] };
/** A fact sent with an API token. */
export const tokenSource = (name: string) => ({ sourceKind: "token", sourceId: name, sourceVerified: false, sourceKey: `token:${name}`, sourceKeys: [`token:${name}`] });

export const makeCommit = (over: Partial<Commit> = {}): Commit => ({
  sha: sha.merge,
  repository: "acme/checkout",
  message: "Add idempotency keys to payment capture (#1842)",
  authorName: "Maria Hernandez",
  authorEmail: "maria.hernandez@acme.example",
  authorLogin: "mhernandez",
  committerLogin: "web-flow",
  branch: "main",
  pushedBy: "mhernandez",
  committedAt: t("2026-11-23T15:02:31Z"),
  url: `https://github.com/acme/checkout/commit/${sha.merge}`,
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makePullRequest = (over: Partial<PullRequest> = {}): PullRequest => ({
  id: 311,
  repository: "acme/checkout",
  number: 1842,
  title: "Add idempotency keys to payment capture",
  body: "Retries from the PSP webhook could capture twice. This stores an idempotency key per capture.\n\nRollout: normal pipeline; no config change.",
  author: "mhernandez",
  state: "closed",
  merged: true,
  mergedAt: t("2026-11-23T15:02:31Z"),
  mergedBy: "mhernandez",
  mergeCommitSha: sha.merge,
  headSha: sha.head,
  baseRef: "main",
  url: "https://github.com/acme/checkout/pull/1842",
  openedAt: t("2026-11-23T09:12:44Z"),
  sourceUpdatedAt: t("2026-11-23T15:02:32Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeReview = (over: Partial<Review> = {}): Review => ({
  id: 902,
  externalId: "2481370915",
  repository: "acme/checkout",
  pullNumber: 1842,
  reviewer: "jkowalski",
  state: "approved",
  commitSha: sha.head,
  submittedAt: t("2026-11-23T14:37:05Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeCheckRun = (over: Partial<CheckRun> = {}): CheckRun => ({
  id: 7001,
  externalId: "33051298711",
  repository: "acme/checkout",
  headSha: sha.merge,
  name: "test",
  status: "completed",
  conclusion: "success",
  completedAt: t("2026-11-23T15:11:40Z"),
  url: "https://github.com/acme/checkout/runs/33051298711",
  sourceUpdatedAt: t("2026-11-23T15:11:40Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeRun = (over: Partial<PipelineRun> = {}): PipelineRun => ({
  id: 4410,
  provider: "github-actions",
  runId: "11873349021",
  attempt: 1,
  repository: "acme/checkout",
  workflow: "build-and-deploy",
  commitSha: sha.merge,
  branch: "main",
  event: "push",
  actor: "mhernandez",
  triggeringActor: "mhernandez",
  status: "completed",
  conclusion: "success",
  startedAt: t("2026-11-23T15:03:02Z"),
  completedAt: t("2026-11-23T15:24:51Z"),
  url: "https://github.com/acme/checkout/actions/runs/11873349021",
  sourceUpdatedAt: t("2026-11-23T15:24:51Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeBuild = (over: Partial<ImageBuild> = {}): ImageBuild => ({
  id: 2207,
  service: "checkout",
  repository: image,
  digest: digest.prod,
  tags: [sha.merge],
  commitSha: sha.merge,
  pipelineProvider: "github-actions",
  pipelineRunId: "11873349021",
  builder: "github-actions",
  baseImages: [
    { ref: `node:20.18-bookworm@${digest.node}`, digest: digest.node },
    { ref: "gcr.io/distroless/nodejs20-debian12", digest: digest.distroless },
  ],
  stages: 3,
  sizeBytes: 187_432_960,
  scan: { scanner: "trivy 0.57.1", counts: { critical: 0, high: 0, medium: 3, low: 12 }, scannedAt: "2026-11-23T15:12:48Z" },
  secretScan: { passed: true, scanner: "gitleaks 8.21.2" },
  provenance: {
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: { runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" } } },
  },
  builtAt: t("2026-11-23T15:13:20Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeDeployment = (over: Partial<Deployment> = {}): Deployment => ({
  id: 5133,
  externalId: "deploy-checkout-production-8a2d1e7",
  service: "checkout",
  environment: "production",
  imageRef: `${image}@${digest.prod}`,
  digest: digest.prod,
  digestInferredFrom: null,
  digestCandidates: null,
  manifestCommitSha: sha.manifests,
  commitSha: sha.merge,
  pipelineProvider: "github-actions",
  pipelineRunId: "11891022374",
  actor: "github-actions[bot]",
  actorType: "pipeline",
  changeType: "normal",
  description: "Promote checkout 8a2d1e7 to production",
  status: "success",
  deployedAt: t("2026-11-24T09:04:17Z"),
  sourceUpdatedAt: t("2026-11-24T09:04:17Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const makeAttestation = (over: Partial<Attestation> = {}): Attestation => ({
  id: 610,
  externalId: "staging-verify-8a2d1e7",
  type: "staging-verification",
  subject: digest.prod,
  service: "checkout",
  environment: "staging",
  result: "pass",
  actor: "github-actions[bot]",
  details: { suite: "smoke+contract", passed: 148, failed: 0 },
  observedAt: t("2026-11-23T15:48:30Z"),
  createdAt: created,
  ...webhookSource,
  ...over,
});

export const stagingDeployment = makeDeployment({
  id: 5120,
  externalId: "deploy-checkout-staging-8a2d1e7",
  environment: "staging",
  imageRef: `${image}:${sha.merge}`,
  pipelineRunId: "11873349021",
  description: "Deploy checkout 8a2d1e7 to staging",
  deployedAt: t("2026-11-23T15:21:09Z"),
  sourceUpdatedAt: t("2026-11-23T15:21:09Z"),
});

/** A production deployment that satisfies every gate and image rule under the default policy. */
export function compliantEvidence(): DeploymentEvidence {
  const attestations = emptyAttestations();
  attestations.stagingVerification.push(makeAttestation());
  attestations.network.push(
    makeAttestation({ id: 611, externalId: "netcheck-prod-20261124-0855", type: "network-check", subject: "production", environment: "production", details: { probes: ["dns", "tls", "ingress"] }, observedAt: t("2026-11-24T08:55:02Z") }),
    makeAttestation({ id: 612, externalId: "certcheck-prod-20261124-0855", type: "certificate-check", subject: "checkout.acme.example", environment: "production", details: { notAfter: "2027-02-14T23:59:59Z" }, observedAt: t("2026-11-24T08:55:31Z") }),
  );
  attestations.backup.push(
    makeAttestation({ id: 613, externalId: "backup-verify-checkout-db-20261124", type: "backup-verification", subject: "checkout-db", environment: "production", details: { restoredRows: 18_220_413 }, observedAt: t("2026-11-24T03:00:12Z") }),
  );
  attestations.rollback.push(
    makeAttestation({ id: 614, externalId: "rollback-drill-checkout-20261120", type: "rollback-test", subject: "checkout", environment: "staging", details: { from: digest.prod, toPrevious: true }, observedAt: t("2026-11-20T10:00:00Z") }),
  );
  return {
    deployment: makeDeployment(),
    environment: { name: "production", rank: 2, isProduction: true },
    build: makeBuild(),
    buildRun: makeRun(),
    deployRun: makeRun({
      id: 4452,
      runId: "11891022374",
      workflow: "promote-production",
      event: "workflow_dispatch",
      actor: "tnguyen",
      triggeringActor: "tnguyen",
      startedAt: t("2026-11-24T09:01:40Z"),
      completedAt: t("2026-11-24T09:06:02Z"),
      url: "https://github.com/acme/checkout/actions/runs/11891022374",
    }),
    commit: makeCommit(),
    pullRequest: makePullRequest(),
    pullRequestCommits: [
      makeCommit({ sha: sha.first, message: "Store idempotency key per capture", committerLogin: "mhernandez", committedAt: t("2026-11-23T09:10:03Z") }),
      makeCommit({ sha: sha.head, message: "Expire keys after 24 h", committerLogin: "mhernandez", committedAt: t("2026-11-23T11:02:19Z") }),
    ],
    reviews: [
      makeReview({ id: 901, externalId: "2481022310", reviewer: "jkowalski", state: "commented", commitSha: sha.first, submittedAt: t("2026-11-23T10:15:51Z") }),
      makeReview(),
    ],
    checkRuns: [
      makeCheckRun({ id: 7000, externalId: "33051298002", name: "lint", completedAt: t("2026-11-23T15:05:12Z") }),
      makeCheckRun(),
      makeCheckRun({ id: 7002, externalId: "33051299340", name: "build", completedAt: t("2026-11-23T15:13:30Z") }),
    ],
    stagingDeployments: [stagingDeployment],
    attestations,
    retainedImages: 14,
    now: t("2026-11-25T00:00:00Z"),
    setAside: [],
  };
}
