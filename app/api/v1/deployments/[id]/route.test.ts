import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { ingestSigstoreBundles } from "@/lib/provenance/ingest";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET } from "./route";

// A real tampered bundle from the GitHub CLI's test data (MIT): lib/provenance/fixtures/README.md.
const tampered = readFileSync(new URL("../../../../../lib/provenance/fixtures/sigstoreBundle-invalid-signature.json", import.meta.url), "utf8");
const c = change({ key: "api-provenance" });

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
  const body = { events: c.events };
  await ingestEvents(t.handle.db, body, JSON.stringify(body));
  await ingestSigstoreBundles(t.handle.db, tampered, { digest: c.digest, maxBundleBytes: 1 << 20 });
  await evaluationSettled(t.handle.db);
});
afterAll(async () => t?.handle.close());

describe("GET /api/v1/deployments/{id}", () => {
  it("answers the deployed image's provenance beside the chain: not verified, and why", async () => {
    const req = new Request(`http://localhost/api/v1/deployments/${c.prodDeploymentId}`, { headers: { authorization: `Bearer ${t.tokens.read}` } });
    const res = await GET(req, { params: Promise.resolve({ id: c.prodDeploymentId }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { digest: string; provenance: Record<string, unknown>; gates: { check: string; result: string }[] };
    expect(body.digest).toBe(c.digest);
    expect(body.provenance).toMatchObject({ state: "not-verified", status: "not verified: signature mismatch", mode: "advisory", bundles: 1, predicateType: null });
    expect(body.provenance.logEntry).toMatchObject({ logIndex: "6751924", integratedTime: "2022-11-08T22:58:07.000Z" });
    expect(body.gates.find((g) => g.check === "image.provenance-verified")?.result).toBe("fail");
  });
});
