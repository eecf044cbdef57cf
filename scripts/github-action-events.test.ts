import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildEvent, readTrivyReport } from "@/integrations/github-action/build-events.mjs";
import { custodyEvent } from "@/lib/events/schema";

const github = {
  GITHUB_REPOSITORY: "acme/checkout",
  GITHUB_RUN_ID: "11873349021",
  GITHUB_RUN_ATTEMPT: "2",
  GITHUB_SHA: "8a2d1e7c3dad03a8e64f0836ab2a4a3b95b598c0",
  GITHUB_REF_NAME: "main",
  GITHUB_EVENT_NAME: "push",
  GITHUB_ACTOR: "mhernandez",
  GITHUB_WORKFLOW: "build",
  GITHUB_SERVER_URL: "https://github.com",
};
const digest = "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c";
const now = "2026-11-23T15:13:20Z";

describe("the GitHub Action's events", () => {
  it("records the pipeline run, then its completion under a separate id", () => {
    const start = buildEvent({ ...github, CUSTODY_KIND: "pipeline-run", CUSTODY_STATUS: "in_progress" }, now);
    const end = buildEvent({ ...github, CUSTODY_KIND: "pipeline-run", CUSTODY_STATUS: "completed", CUSTODY_CONCLUSION: "failure" }, now);
    expect(custodyEvent.parse(start)).toMatchObject({ type: "pipeline_run", provider: "github-actions", runId: "11873349021", attempt: 2, status: "in_progress" });
    expect(custodyEvent.parse(end)).toMatchObject({ status: "completed", conclusion: "failure", url: "https://github.com/acme/checkout/actions/runs/11873349021" });
    expect(start.id).not.toBe(end.id);
  });

  it("records a deployment by digest, linked to the pipeline run and the manifests' commit", () => {
    const event = buildEvent(
      { ...github, CUSTODY_KIND: "deployment", CUSTODY_SERVICE: "checkout", CUSTODY_ENVIRONMENT: "staging", CUSTODY_IMAGE_REF: `ghcr.io/acme/checkout@${digest}`, CUSTODY_DIGEST: digest },
      now,
    );
    expect(custodyEvent.parse(event)).toMatchObject({
      type: "deployment",
      environment: "staging",
      digest,
      actorType: "pipeline",
      manifestCommitSha: github.GITHUB_SHA,
      pipeline: { provider: "github-actions", runId: "11873349021" },
    });
  });

  it("reads a Trivy report's vulnerability counts and secret findings into the build's scan", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "custody-action-"));
    const report = {
      CreatedAt: "2026-11-23T15:12:48Z",
      Results: [
        { Target: "debian 12.11", Vulnerabilities: [{ Severity: "HIGH" }, { Severity: "MEDIUM" }, { Severity: "MEDIUM" }] },
        { Target: "/app/.env", Secrets: [{ RuleID: "github-pat" }] },
      ],
    };
    writeFileSync(path.join(dir, "trivy.json"), JSON.stringify(report));
    writeFileSync(path.join(dir, "Dockerfile"), "FROM node:20@sha256:" + "c".repeat(64) + " AS b\nFROM b\n");
    expect(readTrivyReport(JSON.stringify(report))).toMatchObject({ counts: { critical: 0, high: 1, medium: 2, low: 0 }, secrets: 1 });
    const event = buildEvent(
      { ...github, CUSTODY_KIND: "image-build", CUSTODY_IMAGE: "ghcr.io/acme/checkout", CUSTODY_DIGEST: digest, CUSTODY_TAGS: github.GITHUB_SHA, CUSTODY_DOCKERFILE: path.join(dir, "Dockerfile"), CUSTODY_SCAN_REPORT: path.join(dir, "trivy.json") },
      now,
    );
    expect(custodyEvent.parse(event)).toMatchObject({
      scan: { counts: { high: 1, medium: 2 }, scannedAt: "2026-11-23T15:12:48Z" },
      secretScan: { passed: false },
      stages: 2,
    });
  });

  it("names the kinds it knows when given another", () => {
    expect(() => buildEvent({ CUSTODY_KIND: "release" })).toThrow("CUSTODY_KIND must be one of pipeline-run, image-build, deployment");
  });
});
