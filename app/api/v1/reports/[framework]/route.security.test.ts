import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/lib/db";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET } from "./route";

let h: RouteHarness;
beforeAll(async () => {
  h = await setupRouteHarness();
}, 120_000);
afterAll(async () => closeDb());

const get = (headers: Record<string, string>) =>
  GET(new Request("http://localhost/api/v1/reports/soc2?from=2026-01-01&to=2026-03-31&format=csv", { headers }), {
    params: Promise.resolve({ framework: "soc2" }),
  });

describe("GET /api/v1/reports/{framework}: access", () => {
  it("refuses a request without credentials", async () => {
    const res = await get({});
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHENTICATED");
  });

  it("refuses a revoked token and an ingest-only token", async () => {
    expect((await get({ authorization: `Bearer ${h.tokens.revoked}` })).status).toBe(401);
    expect([401, 403]).toContain((await get({ authorization: `Bearer ${h.tokens.ingest}` })).status);
  });

  it("answers 401 for an unknown framework without credentials, so nothing is probed anonymously", async () => {
    const res = await GET(new Request("http://localhost/api/v1/reports/x"), { params: Promise.resolve({ framework: "x" }) });
    expect(res.status).toBe(401);
  });
});
