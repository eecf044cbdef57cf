import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as state } from "./environments/[name]/state/route";
import { GET as deploymentList } from "./deployments/route";
import { GET as deployment } from "./deployments/[id]/route";
import { GET as findingList } from "./findings/route";
import { GET as incidentList } from "./incidents/route";
import { GET as trace } from "./trace/[...ref]/route";

// A NUL (%00) in a name, reference or filter reached Postgres, which refuses it in text: each of
// these answered 500 over HTTP (probed against `custody start`, 2026-12-04). They must be 400s in
// the contract's shape, and what is stored must answer as before.
let h: RouteHarness;
const c = change({ key: "url-nul" });

beforeAll(async () => {
  h = await setupRouteHarness();
  const body = { events: c.events };
  await ingestEvents(h.handle.db, body, JSON.stringify(body));
});
afterAll(async () => h?.handle.close());

const get = (path: string) => new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${h.tokens.read}` } });
const params = <T>(p: T) => ({ params: Promise.resolve(p) });

describe("a NUL in the URL", () => {
  const cases: [string, () => Promise<Response>][] = [
    ["environment state", () => state(get("/api/v1/environments/%00/state"), params({ name: "\u0000" }))],
    ["a trace by reference", () => trace(get("/api/v1/trace/acme%2Frepo%23%00"), params({ ref: ["acme/repo#\u0000"] }))],
    ["a deployment by id", () => deployment(get("/api/v1/deployments/%00"), params({ id: "\u0000" }))],
    ["deployments by service", () => deploymentList(get("/api/v1/deployments?service=%00"), params({}))],
    ["findings by environment", () => findingList(get("/api/v1/findings?environment=prod%00"), params({}))],
    ["incidents by status", () => incidentList(get("/api/v1/incidents?status=%00"), params({}))],
  ];
  for (const [what, call] of cases) {
    it(`answers 400 VALIDATION for ${what}`, async () => {
      const res = await call();
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "VALIDATION", message: expect.stringContaining("NUL") });
    });
  }

  it("leaves what is stored answering as before", async () => {
    const res = await state(get("/api/v1/environments/production/state"), params({ name: "production" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { workloads: { service: string; digest: string | null }[] };
    expect(body.workloads.map((w) => w.digest)).toContain(c.digest);
  });
});
