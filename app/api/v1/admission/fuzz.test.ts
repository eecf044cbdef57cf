import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mutated } from "@/lib/testing/fuzz";
import { jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as postDecision } from "../decisions/route";
import { POST as postAdmission } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const fixtures = path.join(import.meta.dirname, "..", "..", "..", "..", "lib", "admission", "fixtures");
const reviews = ["pod-create-init-containers.json", "deployment-update-several-containers.json", "pod-ephemeralcontainers-kubectl-debug.json", "pod-exec-connect.json"].map(
  (f) => JSON.parse(readFileSync(path.join(fixtures, f), "utf8")) as unknown,
);

describe("the gates under damaged input", () => {
  it("the admission webhook answers every body with a 200 AdmissionReview, never a 5xx", async () => {
    const bodies = fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), ...reviews.map((r) => mutated(r).map((v) => JSON.stringify(v))));
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await postAdmission(jsonRequest("/api/v1/admission", body, { authorization: `Bearer ${t.tokens.ingest}` }), noContext);
        expect(res.status).toBe(200);
        const answer = (await res.json()) as { kind: string; response: { allowed: unknown; uid: unknown } };
        expect(answer.kind).toBe("AdmissionReview");
        expect(typeof answer.response.allowed).toBe("boolean");
        expect(typeof answer.response.uid).toBe("string");
      }),
      { numRuns: 80 },
    );
  });

  it("the decisions endpoint answers damaged requests with a 4xx in the error shape, never a 5xx", async () => {
    const valid = { gate: "deployment", environment: "staging", digest: `sha256:${"ab".repeat(32)}`, service: "checkout", pipelineRun: { provider: "github-actions", runId: "1" } };
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), mutated(valid).map((v) => JSON.stringify(v))), async (body) => {
        const res = await postDecision(jsonRequest("/api/v1/decisions", body, { authorization: `Bearer ${t.tokens.ingest}` }), noContext);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 40 },
    );
  });
});
