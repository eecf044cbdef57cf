import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const valid = { id: "s-1", type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" };

describe("POST /api/v1/events authorisation", () => {
  it.each([
    ["no token", {}, 401, "UNAUTHENTICATED"],
    ["an unknown token", { authorization: "Bearer cust_not-a-real-token" }, 401, "UNAUTHENTICATED"],
    ["a malformed header", { authorization: "Basic abc" }, 401, "UNAUTHENTICATED"],
  ])("refuses %s", async (_label, headers, status, code) => {
    const res = await POST(jsonRequest("/api/v1/events", valid, headers as Record<string, string>), noContext);
    expect(res.status).toBe(status);
    expect((await errorOf(res)).code).toBe(code);
  });

  it("refuses a revoked token", async () => {
    const res = await POST(jsonRequest("/api/v1/events", valid, { authorization: `Bearer ${t.tokens.revoked}` }), noContext);
    expect(res.status).toBe(401);
  });

  it("refuses a read-only token with 403", async () => {
    const res = await POST(jsonRequest("/api/v1/events", valid, { authorization: `Bearer ${t.tokens.read}` }), noContext);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("FORBIDDEN");
  });

  it("never echoes the token in an error", async () => {
    const res = await POST(jsonRequest("/api/v1/events", valid, { authorization: `Bearer ${t.tokens.read}` }), noContext);
    expect(await res.text()).not.toContain(t.tokens.read);
  });
});
