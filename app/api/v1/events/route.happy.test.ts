import { gzipSync } from "node:zlib";
import { count, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployments, ledgerEvents } from "@/db/schema";
import { jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const event = (id: string) => ({
  id,
  type: "deployment",
  occurredAt: "2026-11-01T10:00:00Z",
  service: "payments",
  environment: "staging",
  imageRef: "ghcr.io/acme/payments:4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
  digest: "sha256:9e3a6c1f2b8d4e7a0c5f9b3d6e1a8c4f7b2d5e9a3c6f1b8d4e7a0c5f9b3d6e1a",
  commitSha: "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
  pipeline: { provider: "gitlab", runId: "88121" },
});

describe("POST /api/v1/events", () => {
  it("accepts one event with an ingest token and projects it", async () => {
    const res = await POST(jsonRequest("/api/v1/events", event("gl-1"), { authorization: `Bearer ${t.tokens.ingest}` }), noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const [d] = await t.handle.db.select().from(deployments);
    expect(d).toMatchObject({ service: "payments", environment: "staging", pipelineProvider: "gitlab", pipelineRunId: "88121" });
  });

  it("accepts a batch and counts the duplicates in it", async () => {
    const body = { events: [event("gl-1"), event("gl-2"), event("gl-3")] };
    const res = await POST(jsonRequest("/api/v1/events", body, { authorization: `Bearer ${t.tokens.both}` }), noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 1 });
    const [{ n } = { n: 0 }] = await t.handle.db.select({ n: count() }).from(ledgerEvents);
    expect(n).toBe(3);
  });

  it("accepts a batch sent gzip-compressed, as a cluster agent sends a large snapshot, and stores what it holds", async () => {
    const body = JSON.stringify({ events: [event("gz-1"), event("gz-2")] });
    const req = new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${t.tokens.ingest}` },
      body: new Uint8Array(gzipSync(body)),
    });
    const res = await POST(req, noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    const rows = await t.handle.db.select().from(deployments).where(inArray(deployments.externalId, ["gz-1", "gz-2"]));
    expect(rows.map((r) => r.externalId).sort()).toEqual(["gz-1", "gz-2"]);
  });

  it("answers with a request id header", async () => {
    const res = await POST(jsonRequest("/api/v1/events", event("gl-4"), { authorization: `Bearer ${t.tokens.ingest}` }), noContext);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
