import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings } from "@/db/schema";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as postEvents } from "../v1/events/route";
import { GET } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const scrape = (headers: Record<string, string> = {}) => GET(new Request("http://localhost/api/metrics", { headers }), noContext);
const line = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));

const finding = (ruleId: string, subjectKey: string, status: string) => ({
  ruleId,
  severity: "high",
  status,
  subjectKey,
  summary: "test finding",
  evidence: {},
  openedAt: new Date("2026-11-20T10:00:00Z"),
  lastSeenAt: new Date("2026-11-20T10:00:00Z"),
});

describe("GET /api/metrics", () => {
  it("refuses a scrape without a read token", async () => {
    const res = await scrape();
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHENTICATED");
    expect((await scrape({ authorization: `Bearer ${t.tokens.ingest}` })).status).toBe(403);
  });

  it("counts ingested events by source and status, and the ledger size", async () => {
    const event = { id: "m-1", type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" };
    const auth = { authorization: `Bearer ${t.tokens.ingest}` };
    expect((await postEvents(jsonRequest("/api/v1/events", event, auth), noContext)).status).toBe(202);
    expect((await postEvents(jsonRequest("/api/v1/events", event, auth), noContext)).status).toBe(202);

    const res = await scrape({ authorization: `Bearer ${t.tokens.read}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(line(text, 'custody_ingest_deliveries_total{source="events",status="used"}')).toMatch(/ 1$/);
    expect(line(text, 'custody_ingest_deliveries_total{source="events",status="duplicate"}')).toMatch(/ 1$/);
    expect(line(text, 'custody_ingest_duration_seconds_count{source="events"}')).toMatch(/ 2$/);
    expect(line(text, "custody_ledger_events ")).toBe("custody_ledger_events 1");
    expect(line(text, 'custody_evaluation_queue{state="failed"}')).toBe('custody_evaluation_queue{state="failed"} 0');
    expect(line(text, 'custody_http_requests_total{method="POST",route="/api/v1/events",status="202"}')).toMatch(/ 2$/);
  });

  it("reports open findings by rule from the database at scrape time", async () => {
    await t.handle.db.insert(findings).values([
      finding("drift.mutable-tag", "production/default/Deployment/a", "open"),
      finding("drift.mutable-tag", "production/default/Deployment/b", "open"),
      finding("drift.manual-apply", "production/default/Deployment/a", "resolved"),
    ]);
    const text = await (await scrape({ authorization: `Bearer ${t.tokens.read}` })).text();
    expect(line(text, 'custody_findings_open{rule="drift.mutable-tag"}')).toBe('custody_findings_open{rule="drift.mutable-tag"} 2');
    expect(line(text, 'custody_findings_open{rule="drift.manual-apply"}')).toBeUndefined();
  });
});
