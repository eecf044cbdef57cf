import { describe, expect, it } from "vitest";
import { compliantEvidence, digest, makeAttestation, makeBuild, sha, t } from "../fixtures.test-helpers";
import { defaultPolicy, resolvePolicy } from "../settings";
import { imageBasePinned } from "./image-base-pinned";
import { imageMultiStage } from "./image-multi-stage";
import { imageNoBakedSecrets } from "./image-no-baked-secrets";
import { imageScanned } from "./image-scanned";
import { imageShaTag } from "./image-sha-tag";
import { imageSizeLimit } from "./image-size-limit";

const withBuild = (over: Parameters<typeof makeBuild>[0]) => ({ ...compliantEvidence(), build: makeBuild(over) });

describe("image.base-pinned", () => {
  it("fails a base image referenced by tag only", () => {
    const out = imageBasePinned(withBuild({ baseImages: [{ ref: `node:20.18-bookworm@${digest.node}`, digest: digest.node }, { ref: "node:20-slim", digest: null }] }), defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: "Base image(s) not pinned to a digest: node:20-slim." });
  });

  it("passes pinned bases and is missing evidence when bases are not recorded", () => {
    expect(imageBasePinned(compliantEvidence(), defaultPolicy).result).toBe("pass");
    expect(imageBasePinned(withBuild({ baseImages: null }), defaultPolicy).result).toBe("missing-evidence");
  });
});

describe("image.multi-stage", () => {
  it("fails a single-stage build", () => {
    expect(imageMultiStage(withBuild({ stages: 1 }), defaultPolicy).result).toBe("fail");
  });
});

describe("image.size-limit", () => {
  it("fails an image over the limit, and the limit comes from policy", () => {
    const e = withBuild({ sizeBytes: 1_288_490_188 });
    const out = imageSizeLimit(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("1228.8 MiB, over the 500.0 MiB limit");
    expect(imageSizeLimit(e, resolvePolicy({ maxImageSizeBytes: 2 * 1024 ** 3 })).result).toBe("pass");
  });
});

describe("image.scanned", () => {
  it("fails a scan with a critical finding", () => {
    const scan = { scanner: "trivy 0.57.1", counts: { critical: 1, high: 4, medium: 9 }, scannedAt: "2026-11-23T15:12:48Z" };
    const out = imageScanned(withBuild({ scan }), defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toBe("The scan found 1 critical, 4 high vulnerabilities (blocking at high and above).");
  });

  it("lets medium findings through unless the policy blocks at medium", () => {
    expect(imageScanned(compliantEvidence(), defaultPolicy).result).toBe("pass");
    expect(imageScanned(compliantEvidence(), resolvePolicy({ blockingScanSeverity: "medium" })).result).toBe("fail");
  });

  it("fails an image that was never scanned, or scanned only after push", () => {
    expect(imageScanned(withBuild({ scan: null }), defaultPolicy).result).toBe("fail");
    const late = { scanner: "trivy 0.57.1", counts: { critical: 0 }, scannedAt: "2026-11-23T18:00:00Z" };
    expect(imageScanned(withBuild({ scan: late }), defaultPolicy).reason).toContain("after it was built and pushed");
  });

  it("reads a vulnerability-scan attestation when the build carries no scan", () => {
    const e = withBuild({ scan: null });
    e.attestations.vulnerabilityScan.push(makeAttestation({ id: 630, externalId: "grype-scan-73e71f5a", type: "vulnerability-scan", details: { scanner: "grype", counts: { critical: 0, high: 2 } }, observedAt: t("2026-11-23T15:13:00Z") }));
    expect(imageScanned(e, defaultPolicy)).toMatchObject({ result: "fail", evidence: { scanAttestation: { id: 630 } } });
  });
});

describe("image.sha-tag", () => {
  it("fails an image tagged latest", () => {
    const out = imageShaTag(withBuild({ tags: [sha.merge, "latest"] }), defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: `${digest.prod} carries the mutable tag(s) latest.` });
  });

  it("fails an image with no tag equal to its commit", () => {
    expect(imageShaTag(withBuild({ tags: ["v2.14.0"] }), defaultPolicy).result).toBe("fail");
  });
});

describe("image.no-baked-secrets", () => {
  it("fails when no secret scan was recorded", () => {
    const out = imageNoBakedSecrets(withBuild({ secretScan: null }), defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: `No secret scan of ${digest.prod} was recorded.` });
  });

  it("fails when the secret scan found something", () => {
    expect(imageNoBakedSecrets(withBuild({ secretScan: { passed: false, scanner: "gitleaks 8.21.2" } }), defaultPolicy).result).toBe("fail");
  });
});
