import { createHmac } from "node:crypto";
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployments, ledgerEvents } from "@/db/schema";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { verifyLedger } from "@/lib/ledger/ledger";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as postEvents } from "./events/route";
import { POST as postWebhook } from "./webhooks/github/route";

// A delivery Custody cannot project is still kept (DESIGN.md, "Ledger first"), marked `rejected`.
const SECRET = "ledger-first-secret-2026";
let t: RouteHarness;
beforeAll(async () => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const auth = () => ({ authorization: `Bearer ${t.tokens.ingest}` });
const deployment = (id: string, service = "checkout") => ({
  id,
  type: "deployment",
  occurredAt: "2026-11-01T10:00:00Z",
  service,
  environment: "production",
  imageRef: "ghcr.io/acme/checkout@sha256:1d5c7f0e3a9b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d",
});
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const signed = (event: string, body: string, id: string) =>
  new Request("http://localhost/api/v1/webhooks/github", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
const rowsOf = (source: string, idLike: string) =>
  t.handle.db.select().from(ledgerEvents).where(like(ledgerEvents.deliveryId, idLike)).then((rows) => rows.filter((r) => r.source === source));

describe("the events API keeps what it cannot project", () => {
  it("answers 400 naming the field for a NUL inside a string, keeps the body as rejected, and accepts the corrected event", async () => {
    const raw = JSON.stringify(deployment("nul-1", "check\u0000out"));
    const res = await postEvents(jsonRequest("/api/v1/events", raw, auth()), noContext);
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toContain("service");
    const [kept] = await rowsOf("events", "rejected:%");
    expect(kept).toMatchObject({ status: "rejected", body: raw });
    expect(kept?.reason).toContain("service");
    // The refused id stays free: the corrected event is accepted, not a duplicate.
    const fixed = await postEvents(jsonRequest("/api/v1/events", deployment("nul-1"), auth()), noContext);
    expect(await fixed.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await verifyLedger(t.handle.db)).ok).toBe(true);
  });

  it("refuses a whole batch when one event cannot be projected, storing nothing of it in the projections", async () => {
    const body = { events: [deployment("batch-ok", "batch-service"), deployment("batch-bad", "\ud800lone")] };
    const res = await postEvents(jsonRequest("/api/v1/events", body, auth()), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("events.1.service");
    expect(await t.handle.db.select().from(deployments).where(eq(deployments.service, "batch-service"))).toHaveLength(0);
    expect((await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "batch-ok")))).toHaveLength(0);
    expect((await verifyLedger(t.handle.db)).ok).toBe(true);
  });

  it("keeps a number past its column's range as rejected (400), the projections untouched", async () => {
    const run = { id: "huge-attempt", type: "pipeline_run", occurredAt: "2026-11-01T10:00:00Z", provider: "jenkins", runId: "huge-1", attempt: 2_147_483_648, status: "completed" };
    const res = await postEvents(jsonRequest("/api/v1/events", run, auth()), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("VALIDATION");
    const kept = (await rowsOf("events", "rejected:%")).filter((r) => r.body.includes("huge-attempt"));
    expect(kept).toHaveLength(1);
    expect(kept[0]?.reason).toMatch(/out of range/);
  });

  it("answers 400 for nesting deeper than 64 levels, and accepts 64", async () => {
    const tooDeep = await postEvents(jsonRequest("/api/v1/events", `{"events":[${deep(100_000)}]}`, auth()), noContext);
    expect(tooDeep.status).toBe(400);
    expect((await errorOf(tooDeep)).message).toMatch(/nest/i);
    const ok = await postEvents(jsonRequest("/api/v1/events", deep(64), auth()), noContext);
    expect(ok.status).toBe(400);
    expect((await errorOf(ok)).message).not.toMatch(/nest/i);
  });
});

describe("a signed GitHub delivery that cannot be projected", () => {
  it("is stored as rejected and answered 202 when a projected string holds a NUL", async () => {
    const payload = exampleOf("workflow_run");
    payload.workflow_run.name = "build\u0000";
    const res = await postWebhook(signed("workflow_run", JSON.stringify(payload), "gh-nul-1"), noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivery: "gh-nul-1", status: "stored" });
    const [row] = await rowsOf("github", "gh-nul-1");
    expect(row?.status).toBe("rejected");
    expect(row?.body).toBe(JSON.stringify(payload));
  });

  it("is stored as rejected and answered 202 when nested 100,000 levels deep", async () => {
    const res = await postWebhook(signed("workflow_run", deep(100_000), "gh-deep-1"), noContext);
    expect(res.status).toBe(202);
    const [row] = await rowsOf("github", "gh-deep-1");
    expect(row?.status).toBe("rejected");
    expect(row?.reason).toMatch(/nest/i);
  });

  it("is stored (base64, marked) and answered 202 when the body holds raw NUL bytes", async () => {
    const body = `{"zen":"a\u0000b"}`;
    const res = await postWebhook(signed("ping", body, "gh-nul-raw"), noContext);
    expect(res.status).toBe(202);
    const [row] = await rowsOf("github", "gh-nul-raw");
    expect(row?.status).toBe("rejected");
    expect(row?.contentType).toContain("base64");
    expect(Buffer.from(row?.body ?? "", "base64").toString("utf8")).toBe(body);
    expect((await verifyLedger(t.handle.db)).ok).toBe(true);
  });
});
