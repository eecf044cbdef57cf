import { createHash } from "node:crypto";

/** Test support: one realistic change to `checkout`, PR to production, as Custody events. */
type Event = Record<string, unknown> & { id: string; type: string; occurredAt: string };

const hex = (seed: string, n: number) => createHash("sha256").update(seed).digest("hex").slice(0, n);
export const shaOf = (seed: string) => hex(`commit:${seed}`, 40);
export const digestOf = (seed: string) => `sha256:${hex(`digest:${seed}`, 64)}`;
const at = (base: string, minutes: number) => new Date(Date.parse(base) + minutes * 60_000).toISOString();

export interface ChangeOptions {
  key?: string;
  /** Minutes after merge for each step; omit a step by setting it to null. */
  approvalAt?: number;
  selfApproval?: boolean;
  commitAfterApproval?: boolean;
  builder?: string;
  imageTag?: string;
  prodRef?: "digest" | "latest";
  skipStaging?: boolean;
  backup?: boolean;
  productionAt?: number;
  history?: boolean;
}

export interface Change {
  events: Event[];
  mergeSha: string;
  headSha: string;
  digest: string;
  pr: string;
  ciRunId: string;
  prodDeploymentId: string;
  stagingDeploymentId: string;
}

/** Merged at 2026-03-14T08:00Z, staging at +30 min, production at +120 min (by default). */
export function change(o: ChangeOptions = {}): Change {
  const key = o.key ?? "c1";
  const base = "2026-03-14T08:00:00Z";
  const repo = "acme/checkout";
  const image = "ghcr.io/acme/checkout";
  const headSha = shaOf(`${key}:head`);
  const lateSha = shaOf(`${key}:late`);
  const mergeSha = shaOf(`${key}:merge`);
  const digest = digestOf(key);
  const number = 1800 + Number.parseInt(hex(key, 4), 16) % 1000;
  const ciRunId = String(7_700_000_000 + Number.parseInt(hex(`run:${key}`, 6), 16));
  const author = "mhernandez";
  const reviewer = o.selfApproval ? author : "jchen";
  const id = (s: string) => `${key}-${s}`;
  const events: Event[] = [
    { id: id("commit-head"), type: "commit", occurredAt: at(base, -90), repository: repo, sha: headSha, message: "Add idempotency keys to payment capture", author: { login: author, name: "Maria Hernandez" }, branch: "mhernandez/idempotency" },
    { id: id("pr-open"), type: "pull_request", occurredAt: at(base, -80), repository: repo, number, title: "Add idempotency keys to payment capture", body: "Stores an idempotency key per capture. Rollout: normal pipeline.", author, state: "open", headSha, openedAt: at(base, -80) },
    { id: id("review"), type: "review", occurredAt: at(base, o.approvalAt ?? -20), repository: repo, pullNumber: number, reviewId: id("r1"), reviewer, state: "approved", commitSha: headSha },
  ];
  if (o.commitAfterApproval) {
    events.push({ id: id("commit-late"), type: "commit", occurredAt: at(base, -10), repository: repo, sha: lateSha, message: "One more tweak", author: { login: author }, branch: "mhernandez/idempotency" });
  }
  const finalHead = o.commitAfterApproval ? lateSha : headSha;
  events.push(
    { id: id("pr-merged"), type: "pull_request", occurredAt: at(base, 0), repository: repo, number, title: "Add idempotency keys to payment capture", body: "Stores an idempotency key per capture. Rollout: normal pipeline.", author, state: "closed", merged: true, mergedAt: at(base, 0), mergedBy: author, mergeCommitSha: mergeSha, headSha: finalHead, openedAt: at(base, -80) },
    { id: id("commit-merge"), type: "commit", occurredAt: at(base, 0), repository: repo, sha: mergeSha, message: `Merge pull request #${number}`, author: { login: author }, branch: "main" },
    { id: id("check"), type: "check_run", occurredAt: at(base, 8), checkId: id("check-test"), repository: repo, headSha: mergeSha, name: "test", status: "completed", conclusion: "success" },
    { id: id("ci-run"), type: "pipeline_run", occurredAt: at(base, 9), provider: "github-actions", runId: ciRunId, attempt: 1, repository: repo, workflow: "ci", commitSha: mergeSha, branch: "main", event: "push", actor: author, status: "completed", conclusion: "success" },
    { id: id("build"), type: "image_build", occurredAt: at(base, 9), repository: image, digest, tags: [o.imageTag ?? mergeSha], service: "checkout", commitSha: o.imageTag ? (/^[a-f0-9]{40}$/.test(o.imageTag) ? o.imageTag : mergeSha) : mergeSha, pipeline: { provider: "github-actions", runId: ciRunId }, builder: o.builder ?? "github-actions", baseImages: [{ ref: "gcr.io/distroless/nodejs20-debian12", digest: digestOf("distroless") }], stages: 2, sizeBytes: 180_000_000, scan: { scanner: "trivy", counts: { critical: 0, high: 0, medium: 2 }, scannedAt: at(base, 9) }, secretScan: { passed: true, scanner: "gitleaks" } },
  );
  if (o.history !== false) {
    for (let i = 0; i < 10; i++) {
      events.push({ id: id(`old-build-${i}`), type: "image_build", occurredAt: at(base, -10_000 - i * 1440), repository: image, digest: digestOf(`${key}-old-${i}`), tags: [shaOf(`${key}-old-${i}`)], service: "checkout", commitSha: shaOf(`${key}-old-${i}`), builder: "github-actions" });
    }
  }
  const deploy = (env: string, minutes: number, runSuffix: string, ref: string) => {
    const runId = `${ciRunId}${runSuffix}`;
    events.push(
      { id: id(`deploy-run-${env}`), type: "pipeline_run", occurredAt: at(base, minutes + 1), provider: "github-actions", runId, attempt: 1, repository: repo, workflow: `deploy-${env}`, commitSha: mergeSha, event: "workflow_run", actor: "acme-deploy-bot", triggeringActor: "acme-deploy-bot", status: "completed", conclusion: "success" },
      { id: id(`deploy-${env}`), type: "deployment", deploymentId: id(`deploy-${env}`), occurredAt: at(base, minutes), service: "checkout", environment: env, imageRef: ref, digest, manifestCommitSha: shaOf(`${key}:manifest:${env}`), commitSha: mergeSha, pipeline: { provider: "github-actions", runId }, actor: "acme-deploy-bot", actorType: "pipeline" },
    );
  };
  const tagRef = `${image}:${o.imageTag ?? mergeSha}`;
  if (!o.skipStaging) {
    deploy("staging", 30, "1", tagRef);
    events.push(
      { id: id("verify"), type: "attestation", occurredAt: at(base, 50), attestationType: "staging-verification", subject: digest, service: "checkout", environment: "staging", result: "pass" },
      { id: id("rollback"), type: "attestation", occurredAt: at(base, 60), attestationType: "rollback-test", subject: digest, service: "checkout", environment: "staging", result: "pass" },
    );
  }
  const prodAt = o.productionAt ?? 120;
  if (o.backup !== false) {
    events.push({ id: id("backup"), type: "attestation", occurredAt: at(base, prodAt - 60), attestationType: "backup-verification", subject: "checkout", service: "checkout", environment: "production", result: "pass" });
  }
  events.push({ id: id("network"), type: "attestation", occurredAt: at(base, prodAt - 10), attestationType: "network-check", subject: digest, service: "checkout", environment: "production", result: "pass" });
  deploy("production", prodAt, "2", o.prodRef === "latest" ? `${image}:latest` : o.imageTag ? tagRef : `${image}@${digest}`);
  return { events, mergeSha, headSha, digest, pr: `${repo}#${number}`, ciRunId, prodDeploymentId: id("deploy-production"), stagingDeploymentId: id("deploy-staging") };
}
