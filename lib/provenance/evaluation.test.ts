import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { provenanceBundles, provenanceVerifications } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { deploymentChain } from "../evidence/deployments";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { rebuildProjections } from "../ingest/replay";
import { ingestSigstoreBundles } from "./ingest";
import { clearVerificationMemo } from "./store";
import { deploymentProvenance } from "./view";

// Real bundles from the GitHub CLI's test data (MIT): fixtures/README.md.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const wheelDigest = "sha256:ae57936def59bc4c75edd3a837d89bcefc6d3a5e31d55a6fa7a71624f92c3c3b";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle.close());

/** One change to checkout whose image has `digest`. */
async function deploy(key: string, digest?: string) {
  const c = change({ key });
  const events = digest ? (JSON.parse(JSON.stringify(c.events).replaceAll(c.digest, digest)) as typeof c.events) : c.events;
  const body = { events };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  return { ...c, digest: digest ?? c.digest };
}

async function gate(id: string, rule: string) {
  const chain = await deploymentChain(handle.db, id);
  return chain.gates.find((g) => g.check === rule);
}

describe("provenance through ingestion and the evaluator", () => {
  it("stores a bundle for a digest Custody has not seen, verifies it only in the evaluator, and links it when the deployment arrives", async () => {
    const sent = await ingestSigstoreBundles(handle.db, fixture("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"), { maxBundleBytes: 1 << 20 });
    expect(sent).toEqual({ accepted: 1, duplicates: 0 });
    // The request stored it; nothing was verified while answering.
    expect(await handle.db.select().from(provenanceVerifications)).toEqual([]);
    await evaluationSettled(handle.db);
    const c = await deploy("wheel", wheelDigest);
    await evaluationSettled(handle.db);
    const check = await gate(c.prodDeploymentId, "image.provenance-verified");
    expect(check?.result).toBe("fail");
    expect(JSON.stringify(check?.evidence)).toContain("untrusted CA");
    const p = await deploymentProvenance(handle.db, { digest: wheelDigest, service: "checkout", environment: "production" });
    expect(p).toMatchObject({
      state: "not-verified",
      status: "not verified: untrusted CA",
      predicateType: "https://slsa.dev/provenance/v1",
      signer: { workflowPath: ".github/workflows/build-python.yml", workflowRef: "refs/heads/main", repository: "actions/attest-demo", runnerEnvironment: "github-hosted" },
    });
    const stored = await handle.db.select().from(provenanceVerifications);
    expect(stored.map((r) => r.status)).toEqual(["not-verified"]);
  });

  it("shows a tampered bundle as not verified: signature mismatch", async () => {
    const c = await deploy("tampered");
    await ingestSigstoreBundles(handle.db, fixture("sigstoreBundle-invalid-signature.json"), { digest: c.digest, maxBundleBytes: 1 << 20 });
    await evaluationSettled(handle.db);
    expect((await gate(c.prodDeploymentId, "image.provenance-verified"))?.result).toBe("fail");
    const p = await deploymentProvenance(handle.db, { digest: c.digest, service: "checkout", environment: "production" });
    expect(p.status).toBe("not verified: signature mismatch");
    expect((await gate(c.prodDeploymentId, "deploy.built-by-ci"))?.result).toBe("fail");
  });

  it("a verified signature about another artifact (npm's sha512) does not prove the image, and shows who signed it", async () => {
    const c = await deploy("npm");
    await ingestSigstoreBundles(handle.db, fixture("sigstore-js-2.1.0-bundle-v0.1.json"), { digest: c.digest, maxBundleBytes: 1 << 20 });
    await evaluationSettled(handle.db);
    const p = await deploymentProvenance(handle.db, { digest: c.digest, service: "checkout", environment: "production" });
    expect(p.status).toBe("not verified: subject does not match the image digest");
    expect(p.signer).toMatchObject({ repository: "sigstore/sigstore-js", workflowPath: ".github/workflows/release.yml", sourceCommit: "26d16513386ffaa790b1c32f927544f1322e4194" });
    expect(p.logEntry).toMatchObject({ logIndex: "33351527", integratedTime: "2023-08-29T15:40:23.000Z" });
  });

  it("a deployment without provenance keeps its old result under the default (advisory) policy", async () => {
    const c = await deploy("plain");
    await evaluationSettled(handle.db);
    expect((await gate(c.prodDeploymentId, "deploy.built-by-ci"))?.result).toBe("pass");
    expect(await gate(c.prodDeploymentId, "image.provenance-verified")).toBeUndefined();
    expect((await deploymentProvenance(handle.db, { digest: c.digest, service: "checkout", environment: "production" })).status).toBe("no provenance");
  });

  it("verifies each bundle once, and a rebuild from the ledger links the same bundles again", async () => {
    const verdicts = await handle.db.select().from(provenanceVerifications);
    expect(new Set(verdicts.map((v) => v.bundleSha256)).size).toBe(verdicts.length);
    const before = (await handle.db.select().from(provenanceBundles)).map((b) => `${b.bundleSha256}@${b.digest}`).sort();
    clearVerificationMemo();
    await rebuildProjections(handle.db);
    const after = (await handle.db.select().from(provenanceBundles)).map((b) => `${b.bundleSha256}@${b.digest}`).sort();
    expect(after).toEqual(before);
    const c = change({ key: "tampered" });
    expect((await gate(c.prodDeploymentId, "image.provenance-verified"))?.result).toBe("fail");
    expect(await handle.db.select().from(provenanceVerifications)).toHaveLength(verdicts.length);
  });
});
