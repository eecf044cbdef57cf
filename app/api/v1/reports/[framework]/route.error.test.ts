import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/lib/db";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET } from "./route";

let h: RouteHarness;
beforeAll(async () => {
  h = await setupRouteHarness();
}, 120_000);
afterAll(async () => closeDb());

const get = (framework: string, query: string, token = h.tokens.read) =>
  GET(new Request(`http://localhost/api/v1/reports/${framework}?${query}`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({ framework }),
  });

describe("GET /api/v1/reports/{framework}: errors", () => {
  it("answers 404 for a framework Custody does not map", async () => {
    const res = await get("pci-dss", "from=2026-01-01&to=2026-03-31");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("NOT_FOUND");
  });

  it.each([
    ["from=2026-01-01", "to"],
    ["from=yesterday&to=2026-03-31", "from"],
    ["from=2026-03-31&to=2026-01-01", "to: must be after from"],
    ["from=2026-01-01&to=2026-03-31&format=docx", "format"],
    ["from=2026-01-01&to=2026-03-31&format=csv&kind=tickets", "kind"],
    ["from=2026-01-01&to=2026-03-31&confidence=99", "confidence"],
    ["from=2026-01-01&to=2026-03-31&sample=-3", "sample"],
    ["from=2026-01-01&to=2026-03-31&seed=a%20b", "seed"],
    ["from=2026-01-01&to=2026-03-31&service=%3Dcmd", "service"],
  ])("rejects %s with a 400 naming %s", async (query, field) => {
    const res = await get("soc2", query);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain(field);
  });

  it("answers an empty period with an empty population, not an error", async () => {
    const res = await get("soc2", "from=2020-01-01&to=2020-01-31&format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-custody-row-count")).toBe("0");
    expect((await res.text()).trim()).toMatch(/^\uFEFF?change_id,service,/);
  });
});
