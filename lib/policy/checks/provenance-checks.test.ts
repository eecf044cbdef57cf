import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseBundles } from "../../provenance/bundle";
import type { LinkedProvenance } from "../../provenance/judge";
import { loadTrustRoots } from "../../provenance/trust";
import { verifyBundle, type BundleVerification } from "../../provenance/verify";
import { evaluateDeployment } from "../evaluate";
import type { DeploymentEvidence } from "../evidence";
import { compliantEvidence, digest, sha } from "../fixtures.test-helpers";
import { resolvePolicy, type Policy } from "../settings";

// Verdicts of the real fixture bundles (GitHub CLI test data, MIT; lib/provenance/fixtures/README.md).
const trust = loadTrustRoots();
const verdict = (name: string): BundleVerification => {
  const [b] = parseBundles(readFileSync(new URL(`../../provenance/fixtures/${name}`, import.meta.url), "utf8"), 1 << 20);
  if (!b) throw new Error(name);
  return verifyBundle(b.json, b.sha256, trust);
};
const sigstoreJs = verdict("sigstore-js-2.1.0-bundle.json");
const githubInstance = verdict("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
const tampered = verdict("sigstoreBundle-invalid-signature.json");

/**
 * The checks judge a verdict, not bytes: this is sigstore-js's real verified verdict, re-aimed at
 * checkout's image (its subject and source commit), to exercise the policy on a verified bundle
 * about an image, which the fixtures (npm and wheel artifacts) cannot provide.
 */
const checkoutVerdict = (over: { commit?: string; repository?: string } = {}): BundleVerification => {
  if (sigstoreJs.signer === null) throw new Error("no signer");
  return {
    ...sigstoreJs,
    subjects: [{ name: "ghcr.io/acme/checkout", digests: [digest.prod] }],
    signer: {
      ...sigstoreJs.signer,
      repository: over.repository ?? "acme/checkout",
      subjectAlternativeName: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
      sourceCommit: over.commit ?? sha.merge,
      runUrl: "https://github.com/acme/checkout/actions/runs/42/attempts/1",
    },
  };
};
const link = (verification: BundleVerification, d = digest.prod): LinkedProvenance => ({ bundleId: 1, digest: d, receivedAt: new Date("2026-11-23T15:10:00Z"), verification });
const withProvenance = (...links: LinkedProvenance[]): DeploymentEvidence => ({ ...compliantEvidence(), provenance: links });
const policy = (over: Record<string, unknown>): Policy =>
  resolvePolicy({ provenanceSigners: [{ repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/heads/main", issuer: "https://token.actions.githubusercontent.com" }], ...over });
const required = policy({ provenanceModeByEnvironment: { production: "required" } });
const results = (e: DeploymentEvidence, p: Policy) => new Map(evaluateDeployment(e, p).map((o) => [o.ruleId, o]));

describe("provenance checks", () => {
  it("verified provenance from the expected signer passes all three, with the certificate identity and the log entry as evidence", () => {
    const r = results(withProvenance(link(checkoutVerdict())), required);
    for (const id of ["deploy.built-by-ci", "image.provenance-verified", "deploy.provenance-commit-matches"] as const) expect(r.get(id)?.result, id).toBe("pass");
    const evidence = r.get("image.provenance-verified")?.evidence as { provenance: Record<string, unknown> };
    expect(evidence.provenance).toMatchObject({
      state: "verified",
      predicateType: "https://slsa.dev/provenance/v1",
      certificate: { workflowPath: ".github/workflows/release.yml", workflowRef: "refs/heads/main", repository: "acme/checkout", runnerEnvironment: "github-hosted" },
      logEntry: { logIndex: "33351527", integratedTime: "2023-08-29T15:40:23.000Z" },
    });
    expect(r.get("deploy.built-by-ci")?.reason).toContain("verified Sigstore provenance");
  });

  it("where provenance is required, a builder string alone does not pass deploy.built-by-ci", () => {
    const e = compliantEvidence();
    const r = results(e, required);
    expect(e.build?.builder).toBeTruthy();
    expect(r.get("deploy.built-by-ci")).toMatchObject({ result: "fail" });
    expect(r.get("deploy.built-by-ci")?.reason).toMatch(/alone is advisory/);
    expect(r.get("image.provenance-verified")?.result).toBe("fail");
    expect(r.get("deploy.provenance-commit-matches")?.result).toBe("fail");
  });

  it("advisory with no bundle leaves the provenance rules out and judges the builder as before; off ignores even a tampered bundle", () => {
    const advisory = results(compliantEvidence(), policy({}));
    expect(advisory.has("image.provenance-verified")).toBe(false);
    expect(advisory.get("deploy.built-by-ci")?.result).toBe("pass");
    const off = results(withProvenance(link(tampered)), policy({ provenanceMode: "off" }));
    expect(off.has("image.provenance-verified")).toBe(false);
    expect(off.has("deploy.provenance-commit-matches")).toBe(false);
    expect(off.get("deploy.built-by-ci")?.result).toBe("pass");
  });

  it("a tampered bundle fails even where provenance is advisory: not verified, signature mismatch", () => {
    const r = results(withProvenance(link(tampered)), policy({}));
    expect(r.get("image.provenance-verified")).toMatchObject({ result: "fail" });
    expect(r.get("image.provenance-verified")?.reason).toContain("not verified: signature mismatch");
    expect(r.get("deploy.built-by-ci")?.result).toBe("fail");
  });

  it("a bundle from a CA that is not configured fails as untrusted CA", () => {
    const r = results(withProvenance(link(githubInstance)), required);
    expect(r.get("image.provenance-verified")?.reason).toContain("not verified: untrusted CA");
  });

  it("a verified bundle about another artifact does not prove the image (sigstore-js's sha512 subject)", () => {
    const r = results(withProvenance(link(sigstoreJs)), required);
    expect(r.get("image.provenance-verified")?.reason).toContain("subject does not match the image digest");
  });

  it("a signer other than the expected one fails and names the difference", () => {
    const r = results(withProvenance(link(checkoutVerdict({ repository: "mallory/checkout" }))), required);
    const out = r.get("image.provenance-verified");
    expect(out?.result).toBe("fail");
    expect(out?.reason).toContain("repository: mallory/checkout, expected acme/checkout");
    expect(r.get("deploy.built-by-ci")?.result).toBe("fail");
  });

  it("a service's own signer rule takes precedence over the general ones", () => {
    const p = resolvePolicy({ provenanceModeByEnvironment: { production: "required" }, provenanceSigners: [{ issuer: "https://token.actions.githubusercontent.com" }, { service: "checkout", repository: "acme/payments-monorepo" }] });
    expect(results(withProvenance(link(checkoutVerdict())), p).get("image.provenance-verified")?.result).toBe("fail");
  });

  it("deploy.provenance-commit-matches fails when the provenance names another commit than the approved merge", () => {
    const r = results(withProvenance(link(checkoutVerdict({ commit: sha.first }))), required);
    expect(r.get("deploy.provenance-commit-matches")).toMatchObject({ result: "fail" });
    expect(r.get("deploy.provenance-commit-matches")?.reason).toContain(sha.first.slice(0, 12));
    expect(r.get("image.provenance-verified")?.result).toBe("pass");
  });

  it("prefers the verified bundle when several are linked", () => {
    const r = results(withProvenance(link(tampered), link(checkoutVerdict()), link(githubInstance)), required);
    expect(r.get("image.provenance-verified")?.result).toBe("pass");
  });
});
