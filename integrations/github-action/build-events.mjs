#!/usr/bin/env node
// Builds one Custody event from a GitHub Actions job's environment and sends it to
// POST /api/v1/events (API.md). Used by action.yml; runnable on its own:
//   CUSTODY_KIND=image-build CUSTODY_IMAGE=ghcr.io/acme/api CUSTODY_DIGEST=sha256:... node build-events.mjs
// Plain Node 20, no dependencies. CUSTODY_DRY_RUN=true prints the event instead of sending it.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { buildTarget, parseDockerfile } from "./dockerfile.mjs";
import { sendProvenance } from "./provenance.mjs";

const list = (v) => (v ?? "").split(/[\s,]+/).filter(Boolean);
const opt = (v) => (v === undefined || v === "" ? undefined : v);

function pipeline(env) {
  return { provider: "github-actions", runId: env.GITHUB_RUN_ID };
}

function runPrefix(env) {
  return `github-actions:${env.GITHUB_REPOSITORY}:${env.GITHUB_RUN_ID}:${env.GITHUB_RUN_ATTEMPT ?? "1"}`;
}

/** Vulnerability counts and secret findings from a Trivy JSON report (`trivy image -f json`). */
export function readTrivyReport(text) {
  const report = JSON.parse(text);
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  let secrets = 0;
  for (const result of report.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      const key = String(v.Severity ?? "").toLowerCase();
      if (key in counts) counts[key] += 1;
    }
    secrets += (result.Secrets ?? []).length;
  }
  const version = report.Trivy?.Version ?? report.Version;
  return { scanner: version ? `trivy ${version}` : "trivy", counts, secrets, scannedAt: report.CreatedAt };
}

const builders = {
  "pipeline-run": (env, now) => {
    const status = env.CUSTODY_STATUS || "in_progress";
    return {
      id: `${runPrefix(env)}:pipeline_run:${status}`,
      type: "pipeline_run",
      occurredAt: now,
      provider: "github-actions",
      runId: env.GITHUB_RUN_ID,
      attempt: Number(env.GITHUB_RUN_ATTEMPT ?? "1"),
      repository: env.GITHUB_REPOSITORY,
      workflow: opt(env.GITHUB_WORKFLOW),
      commitSha: env.GITHUB_SHA,
      branch: opt(env.GITHUB_REF_NAME),
      event: opt(env.GITHUB_EVENT_NAME),
      actor: opt(env.GITHUB_ACTOR),
      triggeringActor: opt(env.GITHUB_TRIGGERING_ACTOR),
      status,
      conclusion: status === "completed" ? env.CUSTODY_CONCLUSION || "success" : undefined,
      url: `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`,
    };
  },
  "image-build": (env, now) => {
    const dockerfile = env.CUSTODY_DOCKERFILE || "Dockerfile";
    const target = buildTarget(parseDockerfile(readFileSync(dockerfile, "utf8")), opt(env.CUSTODY_TARGET));
    const scan = env.CUSTODY_SCAN_REPORT ? readTrivyReport(readFileSync(env.CUSTODY_SCAN_REPORT, "utf8")) : undefined;
    return {
      id: `${runPrefix(env)}:image_build:${env.CUSTODY_DIGEST}`,
      type: "image_build",
      occurredAt: now,
      repository: env.CUSTODY_IMAGE,
      digest: env.CUSTODY_DIGEST,
      tags: list(env.CUSTODY_TAGS),
      service: opt(env.CUSTODY_SERVICE),
      commitSha: env.GITHUB_SHA,
      pipeline: pipeline(env),
      builder: "github-actions",
      baseImages: target.baseImages,
      stages: target.stages,
      sizeBytes: env.CUSTODY_SIZE_BYTES ? Number(env.CUSTODY_SIZE_BYTES) : undefined,
      scan: scan && { scanner: scan.scanner, counts: scan.counts, scannedAt: scan.scannedAt },
      secretScan: scan && { passed: scan.secrets === 0, scanner: scan.scanner },
      provenance: { workflowRef: opt(env.GITHUB_WORKFLOW_REF), runnerEnvironment: opt(env.RUNNER_ENVIRONMENT) },
    };
  },
  deployment: (env, now) => ({
    id: `${runPrefix(env)}:deployment:${env.CUSTODY_ENVIRONMENT}:${env.CUSTODY_SERVICE}:${env.CUSTODY_DEPLOY_STATUS || "success"}`,
    type: "deployment",
    occurredAt: now,
    deploymentId: `${runPrefix(env)}:${env.CUSTODY_ENVIRONMENT}:${env.CUSTODY_SERVICE}`,
    service: env.CUSTODY_SERVICE,
    environment: env.CUSTODY_ENVIRONMENT,
    imageRef: env.CUSTODY_IMAGE_REF,
    digest: opt(env.CUSTODY_DIGEST),
    commitSha: env.GITHUB_SHA,
    manifestCommitSha: env.CUSTODY_MANIFEST_SHA || env.GITHUB_SHA,
    pipeline: pipeline(env),
    actor: "github-actions",
    actorType: "pipeline",
    status: env.CUSTODY_DEPLOY_STATUS || "success",
  }),
};

/** The event for `env.CUSTODY_KIND`, with unset optional fields left out. */
export function buildEvent(env, now = new Date().toISOString()) {
  const build = builders[env.CUSTODY_KIND];
  if (!build) throw new Error(`CUSTODY_KIND must be one of ${Object.keys(builders).join(", ")}`);
  return JSON.parse(JSON.stringify(build(env, now)));
}

async function main() {
  if (process.env.CUSTODY_KIND === "provenance") {
    const text = await sendProvenance(process.env);
    process.stdout.write(`custody: sent the provenance bundle for ${process.env.CUSTODY_DIGEST || "its subjects"} (${text})\n`);
    return;
  }
  const event = buildEvent(process.env);
  if (process.env.CUSTODY_DRY_RUN === "true") {
    process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
    return;
  }
  const url = process.env.CUSTODY_URL;
  const token = process.env.CUSTODY_TOKEN;
  if (!url || !token) throw new Error("CUSTODY_URL and CUSTODY_TOKEN are required");
  const res = await fetch(new URL("/api/v1/events", url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`Custody answered ${res.status}: ${text.slice(0, 300)}`);
  process.stdout.write(`custody: recorded ${event.type} ${event.id} (${text})\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    process.stderr.write(`custody: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
