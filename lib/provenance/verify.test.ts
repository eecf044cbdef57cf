import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { integratedTimeOf, parseBundles, sha256Subjects, statementOf } from "./bundle";
import { buildTrustRoots, loadTrustRoots, parseTrustRootFile } from "./trust";
import { subjectMatches, verifyBundle } from "./verify";

// Real GitHub Actions attestations from the GitHub CLI's test data (MIT), see fixtures/README.md.
const dir = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir), "utf8");
const one = (name: string) => {
  const [b] = parseBundles(fixture(name), 1 << 20);
  if (!b) throw new Error(`no bundle in ${name}`);
  return b;
};
const trust = loadTrustRoots();
const sigstoreJsSha512 = "sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f";

describe("verifying the fixture bundles offline with the shipped public-good root", () => {
  for (const name of ["sigstore-js-2.1.0-bundle.json", "sigstore-js-2.1.0-bundle-v0.1.json"]) {
    it(`${name}: verified, signed by sigstore-js's release workflow, subject = the tarball's sha512`, () => {
      const b = one(name);
      const v = verifyBundle(b.json, b.sha256, trust);
      expect(v.status).toBe("verified");
      expect(v.reason).toBeNull();
      expect(v.signer?.subjectAlternativeName).toBe("https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main");
      expect(v.signer?.issuer).toBe("https://token.actions.githubusercontent.com");
      expect(v.signer).toMatchObject({
        repository: "sigstore/sigstore-js",
        workflowPath: ".github/workflows/release.yml",
        workflowRef: "refs/heads/main",
        sourceCommit: "26d16513386ffaa790b1c32f927544f1322e4194",
        runnerEnvironment: "github-hosted",
        runUrl: "https://github.com/sigstore/sigstore-js/actions/runs/6014488666/attempts/1",
      });
      expect(v.predicateType).toBe("https://slsa.dev/provenance/v1");
      expect(v.predicateCommit).toBe("26d16513386ffaa790b1c32f927544f1322e4194");
      expect(v.logEntry).toMatchObject({ logIndex: "33351527", integratedTime: "2023-08-29T15:40:23.000Z" });
      // The certificate lived ten minutes in 2023: it is judged at the log time, not now.
      expect(v.signer?.notAfter).toBe("2023-08-29T15:50:23.000Z");
      expect(subjectMatches(v, sigstoreJsSha512)).toBe(true);
      // The tarball itself: its sha512 is the subject.
      const tgz = readFileSync(new URL("sigstore-js-2.1.0.tgz", dir));
      expect(`sha512:${createHash("sha512").update(tgz).digest("hex")}`).toBe(sigstoreJsSha512);
      expect(subjectMatches(v, `sha256:${createHash("sha256").update(tgz).digest("hex")}`)).toBe(false);
    });
  }

  it("the GitHub-instance bundle is not verified with only the public-good root: untrusted CA", () => {
    const b = one("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
    const v = verifyBundle(b.json, b.sha256, trust);
    expect(v.status).toBe("not-verified");
    expect(v.reason).toBe("untrusted CA");
    expect(v.signer?.issuerName).toContain("GitHub, Inc.");
    // Its subject is the wheel's sha256, so it can be linked to a sha256 digest.
    const whl = readFileSync(new URL("github_provenance_demo-0.0.12-py3-none-any.whl", dir));
    expect(sha256Subjects(statementOf(b.json))).toEqual([`sha256:${createHash("sha256").update(whl).digest("hex")}`]);
  });

  it("a log time past what a date holds (a hostile 1e308) is no time: the bundle is not verified and nothing throws", () => {
    for (const integratedTime of [1e308, 9007199254740994, "99999999999999999999"]) {
      const b = one("sigstore-js-2.1.0-bundle.json");
      const entry = ((b.json.verificationMaterial as { tlogEntries: Record<string, unknown>[] }).tlogEntries[0] ??= {});
      entry.integratedTime = integratedTime;
      expect(integratedTimeOf(b.json)).toBeNull();
      const v = verifyBundle(b.json, b.sha256, trust);
      expect(v.status).toBe("not-verified");
      expect(v.logEntry?.integratedTime ?? null).toBeNull();
    }
  });

  it("the tampered bundle is not verified: signature mismatch", () => {
    const b = one("sigstoreBundle-invalid-signature.json");
    const v = verifyBundle(b.json, b.sha256, trust);
    expect(v).toMatchObject({ status: "not-verified", reason: "signature mismatch", errorCode: "TLOG_BODY_ERROR" });
  });

  it("the bundle without its certificate is refused as malformed, naming what is missing", () => {
    const err = (() => {
      try {
        parseBundles(fixture("github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl"), 1 << 20);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("VALIDATION");
    expect((err as AppError).message).toContain("no certificate or key");
    expect((err as AppError).message).toContain("dsseEnvelope");
  });

  it("a root given as a file verifies too; the cache key (fingerprint) follows the roots' content", () => {
    const fromFile = parseTrustRootFile(fixture("trusted_root.json"), "fixture").map((json) => ({ origin: "fixture", json }));
    const only = buildTrustRoots(fromFile);
    const b = one("sigstore-js-2.1.0-bundle.json");
    expect(verifyBundle(b.json, b.sha256, only).status).toBe("verified");
    // The shipped copy is the fixture's root, so the same content has the same fingerprint ...
    expect(only.fingerprint).toBe(trust.fingerprint);
    // ... and one more root is another trust configuration.
    expect(buildTrustRoots([...trust.roots, ...fromFile]).fingerprint).not.toBe(trust.fingerprint);
  });

  it("a bundle whose certificate was swapped for another does not verify", () => {
    const good = one("sigstore-js-2.1.0-bundle.json").json as { verificationMaterial: { certificate: { rawBytes: string } } };
    const other = one("sigstoreBundle-invalid-signature.json").json as { verificationMaterial: { certificate: { rawBytes: string } } };
    const swapped = structuredClone(good);
    swapped.verificationMaterial.certificate.rawBytes = other.verificationMaterial.certificate.rawBytes;
    const v = verifyBundle(swapped as unknown as Record<string, unknown>, "x", trust);
    expect(v.status).toBe("not-verified");
  });
});

describe("reading a request body", () => {
  it("splits JSON lines into bundles and keeps each line verbatim", () => {
    const a = fixture("sigstore-js-2.1.0-bundle.json");
    const lines = `${JSON.stringify(JSON.parse(a))}\n${fixture("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl").trim()}\n`;
    const bundles = parseBundles(lines, 1 << 20);
    expect(bundles).toHaveLength(2);
    expect(bundles[0]?.text).toBe(JSON.stringify(JSON.parse(a)));
    // Formatting does not change a bundle's identity.
    expect(bundles[0]?.sha256).toBe(one("sigstore-js-2.1.0-bundle.json").sha256);
  });

  it("names what a non-bundle lacks, and refuses a bundle over the size limit with 413", () => {
    expect(() => parseBundles(JSON.stringify({ hello: "world" }), 1 << 20)).toThrow(/mediaType: required.*verificationMaterial: required.*dsseEnvelope/);
    const tooBig = (() => {
      try {
        parseBundles(fixture("sigstore-js-2.1.0-bundle.json"), 1000);
      } catch (e) {
        return e as AppError;
      }
      return null;
    })();
    expect(tooBig?.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
