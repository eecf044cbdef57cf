import { createHmac } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerEvents, reviews } from "@/db/schema";
import { createToken } from "@/lib/auth/tokens";
import { evaluateDeployments } from "@/lib/evaluation/gates";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { renderMetrics } from "@/lib/metrics";
import { resolvePolicy } from "@/lib/policy/settings";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as getDeployment } from "../deployments/[id]/route";
import { POST as github } from "../webhooks/github/route";
import { POST } from "./route";

/**
 * The forged-approval attack of issue 15, on GitHub's own example deliveries
 * (@octokit/webhooks-examples, MIT): Codertocat approves their own pull request
 * Codertocat/Hello-World#2 (review 237895671); a CI job holding an ingest token then claims
 * that review was "mallory"'s approval.
 */
const SECRET = "it's-a-secret-to-everybody-2026";
let t: RouteHarness;
const prPayload = exampleOf("pull_request", (p) => p.action === "closed");
const reviewPayload = exampleOf("pull_request_review", (p) => p.action === "submitted");
const repository = reviewPayload.repository.full_name;
const mergeSha = prPayload.pull_request.merge_commit_sha ?? "";
const digest = `sha256:${"ab12".repeat(16)}`;
const reviewId = String(reviewPayload.review.id);

const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
async function deliver(event: string, payload: unknown, delivery: string): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": sign(body) };
  return github(new Request("http://localhost/api/v1/webhooks/github", { method: "POST", headers, body }), noContext);
}
const send = (body: unknown, token: string) => POST(jsonRequest("/api/v1/events", body, { authorization: `Bearer ${token}` }), noContext);
const forged = (occurredAt: string, id: string) => ({
  id, type: "review", occurredAt, repository, pullNumber: reviewPayload.pull_request.number, reviewId, reviewer: "mallory", state: "approved", commitSha: reviewPayload.review.commit_id,
});

type Chain = {
  reviews: { externalId: string; reviewer: string; source: { kind: string; id: string; verified: boolean } }[];
  pullRequest: { source: { kind: string; id: string; verified: boolean } } | null;
  deployment: { id: number; source: { kind: string; id: string } };
  gates: { check: string; result: string; reason: string; evidence: { sources?: { fact: string; kind: string }[] } }[];
  notCounted: { fact: string; ref: string; source: { kind: string; id: string } }[];
};
async function chain(): Promise<Chain> {
  await evaluationSettled(t.handle.db);
  const req = new Request("http://localhost/api/v1/deployments/hello-staging-1", { headers: { authorization: `Bearer ${t.tokens.read}` } });
  const res = await getDeployment(req, { params: Promise.resolve({ id: "hello-staging-1" }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Chain;
}
const gate = (c: Chain, check: string) => c.gates.find((g) => g.check === check);
const ledgerSize = async () => (await t.handle.db.select({ n: count() }).from(ledgerEvents))[0]?.n;

beforeAll(async () => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
  Object.assign(prPayload.pull_request, { merged: true, merged_at: "2019-05-15T16:00:00Z", merged_by: prPayload.pull_request.user });
  reviewPayload.review.state = "approved";
  expect((await deliver("pull_request", prPayload, "d-pr-closed")).status).toBe(202);
  expect((await deliver("pull_request_review", reviewPayload, "d-review")).status).toBe(202);
  // The build and the deployment come from CI with the ingest token, as they do in production.
  const delivery = {
    events: [
      { id: "hello-build-1", type: "image_build", occurredAt: "2019-05-15T16:10:00Z", repository: "ghcr.io/codertocat/hello-world", digest, tags: [mergeSha], service: "hello", commitSha: mergeSha, builder: "github-actions" },
      { id: "hello-staging-1", type: "deployment", occurredAt: "2019-05-15T16:20:00Z", service: "hello", environment: "staging", imageRef: `ghcr.io/codertocat/hello-world@${digest}`, digest, commitSha: mergeSha },
    ],
  };
  expect((await send(delivery, t.tokens.ingest)).status).toBe(202);
});
afterAll(async () => t?.handle.close());

describe("facts carry their source, and a token cannot forge an approval", () => {
  it("shows where each link came from: the webhook's delivery id, the token's name", async () => {
    const c = await chain();
    expect(c.pullRequest?.source).toEqual({ kind: "github-webhook", id: "d-pr-closed", verified: true });
    expect(c.reviews).toEqual([expect.objectContaining({ externalId: reviewId, reviewer: "Codertocat", source: { kind: "github-webhook", id: "d-review", verified: true } })]);
    expect(c.deployment.source).toEqual({ kind: "token", id: "ci", verified: false });
    expect(gate(c, "merge.independent-approval")).toMatchObject({ result: "fail" });
    expect(gate(c, "merge.independent-approval")?.evidence.sources).toEqual(
      expect.arrayContaining([expect.objectContaining({ fact: "review", kind: "github-webhook" }), expect.objectContaining({ fact: "deployment", kind: "token" })]),
    );
  });

  it("refuses a token-sent review with the real review id and a date in the future, storing nothing", async () => {
    const before = await ledgerSize();
    const res = await send(forged("2099-01-01T00:00:00Z", "forged-future"), t.tokens.ingest);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/^occurredAt: .*in the future/);
    expect(await ledgerSize()).toBe(before);
    expect((await t.handle.db.select().from(reviews).where(eq(reviews.externalId, reviewId))).map((r) => r.reviewer)).toEqual(["Codertocat"]);
  });

  it("keeps a past-dated token review beside the webhook's, without changing the verdict, and names it", async () => {
    const res = await send(forged("2019-05-15T15:59:00Z", "forged-past"), t.tokens.ingest);
    expect(res.status).toBe(202);
    const rows = await t.handle.db.select().from(reviews).where(eq(reviews.externalId, reviewId));
    expect(rows.map((r) => [r.reviewer, r.sourceKind, r.sourceId]).sort()).toEqual([
      ["Codertocat", "github-webhook", "d-review"],
      ["mallory", "token", "ci"],
    ]);
    const c = await chain();
    expect(c.reviews.map((r) => r.reviewer)).toEqual(["Codertocat"]);
    const approval = gate(c, "merge.independent-approval");
    expect(approval?.result).toBe("fail");
    expect(approval?.reason).toContain('API token "ci"');
    expect(c.notCounted).toEqual([expect.objectContaining({ fact: "review", source: expect.objectContaining({ kind: "token", id: "ci" }) })]);
  });

  it("counts the token's review only when the policy names that token for the repository", async () => {
    const policy = resolvePolicy({ evidenceSources: { repositories: { "Codertocat/*": { review: ["github-webhook", "token:ci"] } } } });
    await evaluateDeployments(t.handle.db, [(await chain()).deployment.id], policy);
    const c = await chain();
    // Stored results are read back as they are; the evaluation above wrote them under the wider policy.
    expect(gate(c, "merge.independent-approval")).toMatchObject({ result: "pass" });
  });

  it("keeps the webhook's pull request when a token sends another author for it", async () => {
    const pr = { id: "forged-pr", type: "pull_request", occurredAt: "2019-05-15T16:30:00Z", repository, number: prPayload.pull_request.number, author: "someone-else", state: "closed", merged: true, mergeCommitSha: mergeSha };
    expect((await send(pr, t.tokens.ingest)).status).toBe(202);
    const c = await chain();
    expect(c.pullRequest?.source.kind).toBe("github-webhook");
  });
});

describe("token scope and expiry", () => {
  const deployment = (environment: string, id: string) => ({ id, type: "deployment", occurredAt: "2026-11-01T10:00:00Z", service: "hello", environment, imageRef: `ghcr.io/codertocat/hello-world@${digest}` });

  it("refuses a production deployment from a token limited to staging with 403 naming the scope", async () => {
    const staging = await createToken(t.handle.db, { name: "staging-deployer", scopes: ["ingest"], createdBy: "test", limits: { eventTypes: ["deployment", "snapshot"], repositories: [], environments: ["staging"] } });
    const before = await ledgerSize();
    const res = await send(deployment("production", "scoped-prod"), staging.token);
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("environments: staging");
    expect(await ledgerSize()).toBe(before);
    expect((await send(deployment("staging", "scoped-staging"), staging.token)).status).toBe(202);
    const review = await send(forged("2019-05-15T15:59:00Z", "scoped-review"), staging.token);
    expect(review.status).toBe(403);
    expect((await errorOf(review)).message).toContain("event types: deployment, snapshot");
  });

  it("refuses a production database's migration history from a token limited to staging", async () => {
    const staging = await createToken(t.handle.db, { name: "staging-migrator", scopes: ["ingest"], createdBy: "test", limits: { eventTypes: [], repositories: [], environments: ["staging"] } });
    const history = (environment: string, id: string) => ({ id, type: "migration_snapshot", occurredAt: "2026-11-01T10:00:00Z", environment, database: "orders", tool: "rails", migrations: [{ id: "20261102101500" }] });
    const before = await ledgerSize();
    const res = await send(history("production", "mig-prod"), staging.token);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toContain("environment: \"production\" is outside this token's scope");
    expect(await ledgerSize()).toBe(before);
    expect((await send(history("staging", "mig-staging"), staging.token)).status).toBe(202);
  });

  it("answers an expired token with 401 saying it expired", async () => {
    const old = await createToken(t.handle.db, { name: "expired", scopes: ["ingest"], createdBy: "test", expiresAt: new Date(Date.now() - 1000) });
    const res = await send(deployment("staging", "expired-1"), old.token);
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/expired/);
  });
});

describe("webhook replays", () => {
  it("recognises the same signed body under a new delivery id as a duplicate", async () => {
    const before = await ledgerSize();
    const res = await deliver("pull_request_review", reviewPayload, "d-review-replayed");
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivery: "d-review-replayed", status: "duplicate" });
    expect(await ledgerSize()).toBe(before);
    expect((await renderMetrics(t.handle.db)).body).toMatch(/^custody_ingest_replays_total\{source="github"\} [1-9]/m);
  });
});
