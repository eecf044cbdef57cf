import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageBuilds, ledgerEvents, pipelineRuns, pullRequests, reviews } from "@/db/schema";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { verifyLedger } from "@/lib/ledger/ledger";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

const SECRET = "it's-a-secret-to-everybody-2026";
let t: RouteHarness;
beforeAll(async () => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
let n = 0;
function delivery(event: string, payload: unknown, opts: { id?: string; signature?: string | null; contentType?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = opts.id ?? `72d3162e-cc78-11e3-81ab-4c9367dc${String(n++).padStart(4, "0")}`;
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/json", "x-github-event": event, "x-github-delivery": id };
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return { req: new Request("http://localhost/api/v1/webhooks/github", { method: "POST", headers, body }), id };
}
const ledgerRow = async (id: string) => (await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, id)))[0];

describe("POST /api/v1/webhooks/github with GitHub's own example deliveries", () => {
  it("turns a pull_request delivery into a pull request", async () => {
    const payload = exampleOf("pull_request", (p) => p.action === "opened");
    const { req, id } = delivery("pull_request", payload);
    const res = await POST(req, noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivery: id, status: "stored" });
    const [pr] = await t.handle.db.select().from(pullRequests).where(eq(pullRequests.number, payload.pull_request.number));
    expect(pr).toMatchObject({ repository: payload.repository.full_name, title: payload.pull_request.title, author: payload.pull_request.user.login });
    expect((await ledgerRow(id))?.status).toBe("used");
  });

  it("refuses a delivery sent gzip-compressed (415), unread: a webhook is authenticated by its body, so nobody makes it inflate one", async () => {
    const payload = exampleOf("workflow_run");
    const body = JSON.stringify(payload);
    const id = "72d3162e-cc78-11e3-81ab-4c9367dcf00d";
    const headers = { "content-type": "application/json", "content-encoding": "gzip", "x-github-event": "workflow_run", "x-github-delivery": id, "x-hub-signature-256": sign(body) };
    const res = await POST(new Request("http://localhost/api/v1/webhooks/github", { method: "POST", headers, body: new Uint8Array(gzipSync(body)) }), noContext);
    expect(res.status).toBe(415);
    expect((await errorOf(res)).message).toContain("content-encoding gzip is not accepted on this route");
    expect(await ledgerRow(id)).toBeUndefined();
  });

  it("turns an approving review into an approver", async () => {
    // The example corpus has no approval; take a real submitted review and make it one.
    const payload = exampleOf("pull_request_review", (p) => p.action === "submitted");
    payload.review.state = "approved";
    const { req } = delivery("pull_request_review", payload);
    expect((await POST(req, noContext)).status).toBe(202);
    const rows = await t.handle.db.select().from(reviews).where(eq(reviews.externalId, String(payload.review.id)));
    expect(rows[0]?.reviewer).toBe(payload.review.user?.login);
    expect(rows[0]?.state).toBe("approved");
  });

  it("turns a workflow_run into a pipeline run", async () => {
    const payload = exampleOf("workflow_run");
    const { req } = delivery("workflow_run", payload);
    expect((await POST(req, noContext)).status).toBe(202);
    const [run] = await t.handle.db.select().from(pipelineRuns).where(eq(pipelineRuns.runId, String(payload.workflow_run.id)));
    expect(run).toMatchObject({ provider: "github-actions", commitSha: payload.workflow_run.head_sha });
  });

  it("turns a container package publication into an image build with its digest", async () => {
    const payload = exampleOf("package", (p) => p.package.package_version?.version?.startsWith("sha256:") ?? false);
    const { req } = delivery("package", payload);
    expect((await POST(req, noContext)).status).toBe(202);
    const builds = await t.handle.db.select().from(imageBuilds);
    expect(builds.map((b) => b.digest)).toContain(payload.package.package_version?.version);
  });

  it("answers duplicate for a delivery id already stored, and stores no second copy", async () => {
    const payload = exampleOf("ping");
    const first = delivery("ping", payload, { id: "dup-0001" });
    expect(await (await POST(first.req, noContext)).json()).toEqual({ delivery: "dup-0001", status: "stored" });
    const again = delivery("ping", payload, { id: "dup-0001" });
    const res = await POST(again.req, noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivery: "dup-0001", status: "duplicate" });
    expect(await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "dup-0001"))).toHaveLength(1);
  });

  it("keeps an event type it does not use, marked not-used", async () => {
    const { req, id } = delivery("star", { action: "created", starred_at: "2026-11-01T10:00:00Z", repository: { full_name: "acme/checkout" } });
    expect((await POST(req, noContext)).status).toBe(202);
    expect(await ledgerRow(id)).toMatchObject({ status: "not-used", eventType: "star" });
  });

  it("keeps a signed delivery that is not JSON, marked rejected with the reason", async () => {
    const { req, id } = delivery("push", "{this is not json");
    expect((await POST(req, noContext)).status).toBe(202);
    const row = await ledgerRow(id);
    expect(row?.status).toBe("rejected");
    expect(row?.reason).toMatch(/not JSON/);
    expect(row?.body).toBe("{this is not json");
  });

  it("accepts the form-encoded content type GitHub can be configured with", async () => {
    const payload = exampleOf("workflow_job");
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const { req, id } = delivery("workflow_job", body, { contentType: "application/x-www-form-urlencoded" });
    expect((await POST(req, noContext)).status).toBe(202);
    expect((await ledgerRow(id))?.status).toBe("used");
  });
});

describe("POST /api/v1/webhooks/github refuses unsigned or badly signed deliveries", () => {
  it.each([
    ["a missing signature", null],
    ["a signature made with another secret", "other"],
    ["a malformed signature", "sha256=zz"],
  ])("401 for %s, nothing stored", async (_label, kind) => {
    const payload = exampleOf("ping");
    const body = JSON.stringify(payload);
    const signature = kind === null ? null : kind === "other" ? sign(body, "not-the-secret-at-all") : kind;
    const { req, id } = delivery("ping", payload, { signature });
    const res = await POST(req, noContext);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("BAD_SIGNATURE");
    expect(await ledgerRow(id)).toBeUndefined();
  });

  it("400 when X-GitHub-Delivery is missing", async () => {
    const body = JSON.stringify(exampleOf("ping"));
    const req = new Request("http://localhost/api/v1/webhooks/github", {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-hub-signature-256": sign(body) },
      body,
    });
    const res = await POST(req, noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("X-GitHub-Delivery");
  });

  it("leaves a ledger that still verifies", async () => {
    expect((await verifyLedger(t.handle.db)).ok).toBe(true);
  });
});
