import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateDecisions } from "@/db/schema";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const digest = "sha256:9e3a6c1f2b8d4e7a0c5f9b3d6e1a8c4f7b2d5e9a3c6f1b8d4e7a0c5f9b3d6e1a";
const ask = (body: unknown) => POST(jsonRequest("/api/v1/decisions", body, { authorization: `Bearer ${t.tokens.ingest}` }), noContext);

describe("POST /api/v1/decisions: bad input", () => {
  it("answers 400 for an unknown gate, naming the gates it knows", async () => {
    const res = await ask({ gate: "release", environment: "production", digest });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("merge, deployment, production-apply");
  });

  it("answers 400 for a request without a subject", async () => {
    const res = await ask({ gate: "deployment", environment: "staging", service: "checkout" });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("a subject is required");
  });

  it("answers 400 for a digest that is not one, and for JSON that is not JSON", async () => {
    expect((await ask({ gate: "deployment", environment: "staging", digest: "sha256:abc" })).status).toBe(400);
    const res = await ask("{ not json");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("MALFORMED_JSON");
  });

  it("records no decision for a refused request", async () => {
    const [{ n } = { n: -1 }] = await t.handle.db.select({ n: count() }).from(gateDecisions);
    expect(n).toBe(0);
  });
});
