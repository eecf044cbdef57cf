import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const body = { gate: "deployment", environment: "staging", digest: "sha256:9e3a6c1f2b8d4e7a0c5f9b3d6e1a8c4f7b2d5e9a3c6f1b8d4e7a0c5f9b3d6e1a" };

describe("POST /api/v1/decisions: who may ask", () => {
  it("refuses a caller without a token (401), a read-only token (403) and a revoked token (401)", async () => {
    expect((await POST(jsonRequest("/api/v1/decisions", body), noContext)).status).toBe(401);
    const read = await POST(jsonRequest("/api/v1/decisions", body, { authorization: `Bearer ${t.tokens.read}` }), noContext);
    expect(read.status).toBe(403);
    expect((await errorOf(read)).code).toBe("FORBIDDEN");
    expect((await POST(jsonRequest("/api/v1/decisions", body, { authorization: `Bearer ${t.tokens.revoked}` }), noContext)).status).toBe(401);
  });
});
