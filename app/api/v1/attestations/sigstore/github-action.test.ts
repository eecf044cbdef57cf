import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "./route";
import { provenanceRequest } from "@/integrations/github-action/provenance.mjs";
import { noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";

// The bundle file actions/attest-build-provenance writes has the format of this real one (GitHub CLI test data, MIT).
const bundle = path.join(import.meta.dirname, "..", "..", "..", "..", "..", "lib", "provenance", "fixtures", "github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
const digest = "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

describe("the GitHub Action's provenance step", () => {
  it("sends the bundle file for the pushed digest, and Custody accepts it", async () => {
    const req = provenanceRequest({ CUSTODY_KIND: "provenance", CUSTODY_BUNDLE_PATH: bundle, CUSTODY_DIGEST: digest });
    expect(req.path).toBe(`/api/v1/attestations/sigstore?digest=${encodeURIComponent(digest)}`);
    const res = await POST(
      new Request(`http://localhost${req.path}`, { method: "POST", headers: { "content-type": req.contentType, authorization: `Bearer ${t.tokens.ingest}` }, body: req.body }),
      noContext,
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("refuses to run without the bundle path or with a digest that is not sha256", () => {
    expect(() => provenanceRequest({ CUSTODY_DIGEST: digest })).toThrow(/bundle-path is required/);
    expect(() => provenanceRequest({ CUSTODY_BUNDLE_PATH: bundle, CUSTODY_DIGEST: "latest" })).toThrow(/sha256/);
  });
});
