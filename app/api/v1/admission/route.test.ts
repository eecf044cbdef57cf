import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const review = readFileSync(path.join(import.meta.dirname, "..", "..", "..", "..", "lib", "admission", "fixtures", "pod-create-init-containers.json"), "utf8");
const post = (body: string, headers: Record<string, string> = {}) => POST(jsonRequest("/api/v1/admission", body, headers), noContext);

describe("POST /api/v1/admission", () => {
  it("answers the API server with an AdmissionReview for the same uid (warn by default in a namespace named like an environment)", async () => {
    const res = await post(review, { authorization: `Bearer ${t.tokens.ingest}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { apiVersion: string; kind: string; response: { uid: string; allowed: boolean; warnings: string[] } };
    expect(body).toMatchObject({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "705ab4f5-6393-11e8-b7cc-42010a800001", allowed: true } });
    expect(body.response.warnings.length).toBeGreaterThan(0);
    // Not to be stored by anyone, nor gzipped on the way (Next's compression honours no-transform).
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
  });

  it("answers a malformed review with a 200 AdmissionReview the API server understands, never a 5xx", async () => {
    for (const bad of ["", "[]", "null", '{"kind":"AdmissionReview","request":{"uid":42}}', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE","kind":{"kind":"Pod"},"resource":{"resource":"pods"},"namespace":"production","object":{"spec":{"containers":"nope"}}}}']) {
      const res = await post(bad, { authorization: `Bearer ${t.tokens.ingest}` });
      expect(res.status, bad).toBe(200);
      const body = (await res.json()) as { kind: string; response: { allowed: boolean } };
      expect(body.kind).toBe("AdmissionReview");
      expect(body.response.allowed).toBe(true);
    }
  });

  it("refuses callers without an ingest token: 401 without one, 403 with a read token", async () => {
    expect((await post(review)).status).toBe(401);
    expect((await post(review, { authorization: `Bearer ${t.tokens.read}` })).status).toBe(403);
  });
});
