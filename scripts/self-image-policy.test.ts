import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildEvent } from "@/integrations/github-action/build-events.mjs";
import { buildTarget, parseDockerfile } from "@/integrations/github-action/dockerfile.mjs";
import { custodyEvent, imageBuildEvent } from "@/lib/events/schema";
import { imageBasePinned } from "@/lib/policy/checks/image-base-pinned";
import { imageMultiStage } from "@/lib/policy/checks/image-multi-stage";
import { imageShaTag } from "@/lib/policy/checks/image-sha-tag";
import { compliantEvidence, makeBuild } from "@/lib/policy/fixtures.test-helpers";
import { defaultPolicy } from "@/lib/policy/settings";

/** Custody judges itself: its own image checks run against its own Dockerfile and build workflow. */
const root = path.resolve(import.meta.dirname, "..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
const workflow = readFileSync(path.join(root, ".github", "workflows", "build.yml"), "utf8");
const commit = "3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39";
const digest = `sha256:${"ab".repeat(32)}`;

/** Every tag the workflow gives the image: `--tag`/`-t` of docker build and `tags:` inputs, SHA substituted. */
function workflowTags(text: string): string[] {
  const resolved = text.replace(/\$\{\{\s*github\.sha\s*\}\}/g, commit);
  const tags: string[] = [];
  for (const m of resolved.matchAll(/(?:--tag|\s-t)\s+"?([^"\s]+)"?/g)) tags.push((m[1] ?? "").split(":").pop() ?? "");
  for (const m of resolved.matchAll(/^\s+tags:\s*(.+)$/gm)) tags.push(...(m[1] ?? "").split(/[\s,]+/));
  return tags.filter(Boolean);
}

function judge(target?: string) {
  const built = buildTarget(parseDockerfile(dockerfile), target);
  const evidence = compliantEvidence();
  evidence.build = makeBuild({ baseImages: built.baseImages, stages: built.stages, tags: workflowTags(workflow), commitSha: commit });
  return { built, evidence };
}

describe("Custody's own image passes Custody's image checks", () => {
  it("the server image: every base image pinned by digest, built in several stages", () => {
    const { built, evidence } = judge();
    expect(built.stages).toBeGreaterThanOrEqual(2);
    expect(built.baseImages.map((b) => b.ref)).toEqual([expect.stringMatching(/^docker\.io\/library\/node:20[^@]*@sha256:[a-f0-9]{64}$/)]);
    expect(imageBasePinned(evidence, defaultPolicy)).toMatchObject({ result: "pass" });
    expect(imageMultiStage(evidence, defaultPolicy)).toMatchObject({ result: "pass" });
  });

  it("the CLI image (snapshot CronJob) pins node and kubectl too", () => {
    const { built, evidence } = judge("cli");
    expect(built.baseImages).toHaveLength(2);
    expect(imageBasePinned(evidence, defaultPolicy)).toMatchObject({ result: "pass" });
  });

  it("the build workflow tags the image with its commit SHA and never latest", () => {
    const tags = workflowTags(workflow);
    expect(tags.length).toBeGreaterThan(0);
    expect(new Set(tags)).toEqual(new Set([commit]));
    expect(imageShaTag(judge().evidence, defaultPolicy)).toMatchObject({ result: "pass" });
  });

  it("a Dockerfile with a loose base image or one stage would fail the same checks", () => {
    const loose = buildTarget(parseDockerfile("ARG BASE=node:20-slim\nFROM ${BASE} AS app\nCOPY . .\n"));
    const evidence = compliantEvidence();
    evidence.build = makeBuild({ baseImages: loose.baseImages, stages: loose.stages });
    expect(imageBasePinned(evidence, defaultPolicy).result).toBe("fail");
    expect(imageMultiStage(evidence, defaultPolicy).result).toBe("fail");
  });

  it("the event the workflow sends for the build is one Custody accepts, carrying the same facts", () => {
    const event = buildEvent(
      {
        CUSTODY_KIND: "image-build",
        CUSTODY_IMAGE: "ghcr.io/acme/custody",
        CUSTODY_DIGEST: digest,
        CUSTODY_TAGS: commit,
        CUSTODY_DOCKERFILE: path.join(root, "Dockerfile"),
        GITHUB_SHA: commit,
        GITHUB_REPOSITORY: "acme/custody",
        GITHUB_RUN_ID: "12345",
      },
      "2026-11-27T10:00:00Z",
    );
    const parsed = imageBuildEvent.parse(event);
    expect(parsed).toMatchObject({ digest, tags: [commit], commitSha: commit, stages: judge().built.stages, builder: "github-actions" });
    expect(parsed.baseImages?.every((b) => b.digest?.startsWith("sha256:"))).toBe(true);
    expect(custodyEvent.safeParse(event).success).toBe(true);
  });
});
