import { gzipSync } from "node:zlib";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerEvents } from "@/db/schema";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const auth = () => ({ authorization: `Bearer ${t.tokens.ingest}` });
const stored = async () => (await t.handle.db.select({ n: count() }).from(ledgerEvents))[0]?.n;
const valid = { id: "e-1", type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" };

describe("POST /api/v1/events with bad input", () => {
  it("400 MALFORMED_JSON for a body that is not JSON", async () => {
    const res = await POST(jsonRequest("/api/v1/events", "{not json", auth()), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("MALFORMED_JSON");
  });

  it("400 VALIDATION naming the field path", async () => {
    const res = await POST(jsonRequest("/api/v1/events", { ...valid, result: "maybe" }, auth()), noContext);
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toContain("result");
  });

  it("400 for an unknown event type", async () => {
    const res = await POST(jsonRequest("/api/v1/events", { ...valid, type: "coffee" }, auth()), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("VALIDATION");
  });

  it("rejects a whole batch when one event is bad, naming its index", async () => {
    const body = { events: [valid, { ...valid, id: "e-2", occurredAt: "yesterday" }] };
    const res = await POST(jsonRequest("/api/v1/events", body, auth()), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("events.1.occurredAt");
    expect(await stored()).toBe(0);
  });

  it("415 for a content type other than JSON", async () => {
    const req = new Request("http://localhost/api/v1/events", { method: "POST", headers: { "content-type": "text/plain", ...auth() }, body: JSON.stringify(valid) });
    const res = await POST(req, noContext);
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("413 for a small gzip body that decompresses past the limit (a decompression bomb), stored nothing", async () => {
    const bomb = gzipSync(JSON.stringify({ ...valid, details: { blob: "x".repeat(64 * 1024 * 1024) } }));
    const req = new Request("http://localhost/api/v1/events", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth() }, body: new Uint8Array(bomb) });
    const res = await POST(req, noContext);
    expect(res.status).toBe(413);
    const err = await errorOf(res);
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toContain("once decompressed");
    expect(await stored()).toBe(0);
  });

  it("400 for a body whose bytes are not the gzip its content-encoding names, stored nothing", async () => {
    const req = new Request("http://localhost/api/v1/events", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth() }, body: JSON.stringify(valid) });
    const res = await POST(req, noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("not valid gzip data");
    expect(await stored()).toBe(0);
  });

  it("413 for a body over the limit, stored nothing", async () => {
    const big = { ...valid, details: { blob: "x".repeat(6 * 1024 * 1024) } };
    const res = await POST(jsonRequest("/api/v1/events", big, auth()), noContext);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(await stored()).toBe(0);
  });

  it("takes one cluster snapshot past the general limit (up to CUSTODY_MAX_SNAPSHOT_BYTES), never a batch that large", async () => {
    const long = (p: string, i: number) => `${p}-${String(i).padStart(6, "0")}-${"a".repeat(180)}`;
    const workloads = Array.from({ length: 6_000 }, (_, i) => ({
      namespace: long("team", i % 40),
      kind: "Deployment",
      name: long("app", i),
      containers: [{ name: long("c", i), image: `ghcr.io/acme/${long("svc", i)}@sha256:${"ab".repeat(32)}`, digest: `sha256:${"ab".repeat(32)}` }],
    }));
    const snapshot = { id: "snap-large", type: "snapshot", occurredAt: "2026-11-01T10:00:00Z", environment: "production", workloads };
    expect(JSON.stringify(snapshot).length).toBeGreaterThan(5 * 1024 * 1024);
    const batch = await POST(jsonRequest("/api/v1/events", { events: [snapshot] }, auth()), noContext);
    expect(batch.status).toBe(413);
    expect((await errorOf(batch)).message).toContain("single snapshot");
    expect(await stored()).toBe(0);
    const res = await POST(jsonRequest("/api/v1/events", snapshot, auth()), noContext);
    expect(res.status).toBe(202);
    expect(await stored()).toBe(1);
  }, 60_000);

  it("413 for a snapshot past CUSTODY_MAX_SNAPSHOT_BYTES (32 MiB), stored nothing", async () => {
    const before = await stored();
    const huge = { id: "snap-huge", type: "snapshot", occurredAt: "2026-11-01T10:00:00Z", environment: "production", workloads: [], otherObjects: [{ kind: "X", name: "x".repeat(33 * 1024 * 1024) }] };
    const res = await POST(jsonRequest("/api/v1/events", huge, auth()), noContext);
    expect(res.status).toBe(413);
    expect(await stored()).toBe(before);
  });
});

describe("POST /api/v1/events with links", () => {
  it("400 naming the url for a link that is not https (javascript:, data:, plain http off localhost)", async () => {
    const run = { id: "run-url", type: "pipeline_run", occurredAt: "2026-11-01T10:00:00Z", provider: "jenkins", runId: "77", status: "completed" };
    for (const url of ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "http://ci.example.com/job/77", "JAVASCRIPT://%0aalert(1)"]) {
      const res = await POST(jsonRequest("/api/v1/events", { ...run, url }, auth()), noContext);
      expect(res.status, url).toBe(400);
      expect((await errorOf(res)).message).toContain("url");
    }
    const ok = await POST(jsonRequest("/api/v1/events", { ...run, url: "https://ci.example.com/job/77" }, auth()), noContext);
    expect(ok.status).toBe(202);
    // The trial runs beside a local CI: plain http is accepted for localhost there.
    const local = await POST(jsonRequest("/api/v1/events", { ...run, id: "run-url-2", url: "http://localhost:8080/job/77" }, auth()), noContext);
    expect(local.status).toBe(202);
  });
});
