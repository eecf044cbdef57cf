import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidents, ledgerEvents } from "@/db/schema";
import { listAudit } from "@/lib/audit/query";
import { parseEngagementInput } from "@/lib/engagements/input";
import { parseReportParams } from "@/lib/reports/params";
import { recordAudit } from "@/lib/audit/record";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as deploymentList } from "./deployments/route";
import { POST as postEvents } from "./events/route";
import { GET as findingList } from "./findings/route";
import { GET as incidentList } from "./incidents/route";

// Values a date or a cursor can take in JavaScript but not in Postgres: year 0000 (also reached from
// 0001-01-01T00:00+01:00), and an id past a bigint. Each answered 500 over HTTP (swept against
// `custody start`, 2026-12-04); a filter must be a 400 naming the parameter, and the widest range
// Postgres holds must still list what is stored.
let h: RouteHarness;
const c = change({ key: "out-of-range" });
let incidentId = 0;

beforeAll(async () => {
  h = await setupRouteHarness();
  const body = { events: c.events };
  await ingestEvents(h.handle.db, body, JSON.stringify(body));
  const [row] = await h.handle.db
    .insert(incidents)
    .values({ title: "Hot patch in production", owner: "maya@acme.com", openedBy: "maya@acme.com", openedAt: new Date("2026-11-20T10:00:00Z"), capturedState: {} })
    .returning({ id: incidents.id });
  incidentId = Number(row?.id);
});
afterAll(async () => h?.handle.close());

const get = (path: string) => new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${h.tokens.read}` } });
const none = { params: Promise.resolve({}) };

describe("dates Postgres cannot hold, in filters", () => {
  const cases: [string, string, () => Promise<Response>][] = [
    ["deployments from year 0000", "from", () => deploymentList(get("/api/v1/deployments?from=0000-01-01"), none)],
    ["deployments to year 0000", "to", () => deploymentList(get("/api/v1/deployments?to=0000-06-01T00:00:00Z"), none)],
    ["deployments from 0001-01-01T00:00+01:00 (year 0000 in UTC)", "from", () => deploymentList(get("/api/v1/deployments?from=0001-01-01T00:00:00%2B01:00"), none)],
    ["deployments to 9999-12-31T23:30-01:00 (year 10000 in UTC)", "to", () => deploymentList(get("/api/v1/deployments?to=9999-12-31T23:30:00-01:00"), none)],
    ["findings from year 0000", "from", () => findingList(get("/api/v1/findings?from=0000-01-01"), none)],
    ["findings to year 0000", "to", () => findingList(get("/api/v1/findings?to=0000-01-01"), none)],
  ];
  for (const [what, param, call] of cases) {
    it(`answers 400 VALIDATION naming ${param} for ${what}`, async () => {
      const res = await call();
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "VALIDATION", message: `${param}: must fall between 0001-01-01 and 9999-12-31 (UTC)` });
    });
  }

  it("lists what is stored over the widest range Postgres holds", async () => {
    const deployments = await deploymentList(get("/api/v1/deployments?from=0001-01-01&to=9999-12-31T23:59:59Z"), none);
    expect(deployments.status).toBe(200);
    const d = (await deployments.json()) as { items: { digest: string | null }[] };
    expect(d.items.map((x) => x.digest)).toContain(c.digest);
    const findings = await findingList(get("/api/v1/findings?from=0001-01-01&to=9999-12-31"), none);
    expect(findings.status).toBe(200);
  });
});

describe("an incident cursor past a bigint", () => {
  it("lists every incident (every id is below it) instead of answering 500", async () => {
    const res = await incidentList(get("/api/v1/incidents?cursor=99999999999999999999"), none);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { id: number }[] };
    expect(body.items.map((i) => i.id)).toContain(incidentId);
  });
});

describe("the audit log's days", () => {
  it("refuses year 0000 naming the parameter, and lists up to 9999-12-31 (the day after it is no date Postgres takes)", async () => {
    await recordAudit(h.handle.db, { actor: "maya@acme.com", actorType: "user", action: "auth.sign-in" });
    await expect(listAudit(h.handle.db, { from: "0000-01-01" })).rejects.toThrow("from: must fall between 0001-01-01 and 9999-12-31 (UTC)");
    const page = await listAudit(h.handle.db, { from: "0001-01-01", to: "9999-12-31" });
    expect(page.entries.map((e) => e.action)).toContain("auth.sign-in");
  });
});

describe("a report's or an engagement's period, and an engagement's end of access", () => {
  it("refuses year 0000 naming the field (an engagement over it answered 500), and ends a period on 9999-12-31 with that day", () => {
    expect(() => parseReportParams("soc2", { from: "0000-12-01", to: "0001-01-15" })).toThrow("from: must fall between 0001-01-01 and 9999-12-31 (UTC)");
    expect(parseReportParams("soc2", { from: "9999-06-01", to: "9999-12-31" }).to.toISOString()).toBe("9999-12-31T23:59:59.999Z");
    const fields = { name: "FY", framework: "soc2", from: "2026-01-01", to: "2026-06-30" };
    expect(() => parseEngagementInput({ ...fields, endsAt: "9999-12-31T23:30:00-01:00" })).toThrow("endsAt: must fall between 0001-01-01 and 9999-12-31 (UTC)");
    expect(() => parseEngagementInput({ ...fields, from: "0000-12-01", to: "0001-01-15" })).toThrow("from: must fall between");
    expect(parseEngagementInput({ ...fields, endsAt: "9999-12-30" }).endsAt.toISOString()).toBe("9999-12-31T00:00:00.000Z");
  });
});

describe("an event dated in a year Postgres does not hold", () => {
  it("is a 400 naming the field, not the projections' catch-all, and the ledger keeps nothing of it", async () => {
    const before = await h.handle.db.$count(ledgerEvents);
    for (const occurredAt of ["0000-06-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"]) {
      const body = JSON.stringify({ events: [{ id: `year-${occurredAt}`, type: "commit", occurredAt, repository: "acme/shop", sha: "abcdef1234567", message: "m" }] });
      const res = await postEvents(new Request("http://localhost/api/v1/events", { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${h.tokens.ingest}` } }), none);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "VALIDATION", message: expect.stringContaining("events.0.occurredAt: must fall between 0001-01-01 and 9999-12-31 (UTC)") });
    }
    expect(await h.handle.db.$count(ledgerEvents)).toBe(before);
  });
});
