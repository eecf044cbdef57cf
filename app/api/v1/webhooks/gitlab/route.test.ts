import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerEvents, pipelineRuns, pullRequests, reviews } from "@/db/schema";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { deploymentChain } from "@/lib/evidence/deployments";
import { rebuildProjections } from "@/lib/ingest/replay";
import { gitlabFixture, gitlabFixtures, gitlabHeader, type Payload } from "@/lib/ingest/gitlab/test-support";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

const SECRET = "gitlab-hook-secret-token-2026-12";
let t: RouteHarness;
beforeAll(async () => {
  process.env.GITLAB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

let n = 0;
function delivery(event: string, payload: unknown, opts: { token?: string | null; id?: string; headers?: Record<string, string> } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = opts.id ?? `9c1a3e64-0f2b-4c11-9d55-${String(n++).padStart(12, "0")}`;
  const headers: Record<string, string> = { "content-type": "application/json", "x-gitlab-event": event, "x-gitlab-event-uuid": id, ...opts.headers };
  const token = opts.token === undefined ? SECRET : opts.token;
  if (token !== null) headers["x-gitlab-token"] = token;
  return { req: new Request("http://localhost/api/v1/webhooks/gitlab", { method: "POST", headers, body }), id, body };
}
const send = async (event: string, payload: unknown) => {
  const res = await POST(delivery(event, payload).req, noContext);
  expect(res.status, await res.clone().text()).toBe(202);
};
const ledgerRow = async (id: string) => (await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, id)))[0];

describe("POST /api/v1/webhooks/gitlab with GitLab's documented payloads", () => {
  it.each(gitlabFixtures)("stores %s with the token, marked as the README says", async (name) => {
    const { req, id } = delivery(gitlabHeader[name], gitlabFixture(name));
    const res = await POST(req, noContext);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivery: id, status: "stored" });
    const row = await ledgerRow(id);
    expect(row?.source).toBe("gitlab");
    expect(row?.status).toBe(name === "emoji-hook" ? "not-used" : "used");
  });

  it("projects them: commits, the merge request, the pipeline run and the deployment", async () => {
    const [mr] = await t.handle.db.select().from(pullRequests).where(eq(pullRequests.repository, "gitlabhq/gitlab-test"));
    expect(mr).toMatchObject({ number: 1, state: "open", sourceKind: "gitlab-webhook", sourceVerified: true });
    const [run] = await t.handle.db.select().from(pipelineRuns).where(eq(pipelineRuns.runId, "31"));
    expect(run).toMatchObject({ provider: "gitlab-ci", status: "completed", conclusion: "success" });
    const chain = await deploymentChain(t.handle.db, "gitlab:30:job:796");
    expect(chain).toMatchObject({ service: "test-deployment-webhooks", environment: "staging" });
  });

  it("answers duplicate for the same delivery id and keeps one copy", async () => {
    const payload = { ...gitlabFixture("push-hook"), total_commits_count: 5 };
    const first = await POST(delivery("Push Hook", payload, { id: "gl-dup-1" }).req, noContext);
    expect(await first.json()).toEqual({ delivery: "gl-dup-1", status: "stored" });
    const again = await POST(delivery("Push Hook", payload, { id: "gl-dup-1" }).req, noContext);
    expect(await again.json()).toEqual({ delivery: "gl-dup-1", status: "duplicate" });
    expect(await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "gl-dup-1"))).toHaveLength(1);
  });

  it("keeps an unknown event, marked not used", async () => {
    const { req, id } = delivery("Wiki Page Hook", { object_kind: "wiki_page", project: { id: 1, path_with_namespace: "acme/wiki" } });
    expect((await POST(req, noContext)).status).toBe(202);
    expect(await ledgerRow(id)).toMatchObject({ status: "not-used", eventType: "wiki_page_hook" });
  });
});

describe("POST /api/v1/webhooks/gitlab refuses a wrong or missing token", () => {
  it.each([
    ["a missing token", null, "UNAUTHENTICATED"],
    ["another token", "not-the-gitlab-secret-at-all", "BAD_SIGNATURE"],
    ["the token with a suffix", `${SECRET}x`, "BAD_SIGNATURE"],
  ])("401 for %s, nothing stored", async (_label, token, code) => {
    const { req, id } = delivery("Push Hook", gitlabFixture("push-hook"), { token });
    const res = await POST(req, noContext);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe(code);
    expect(await ledgerRow(id)).toBeUndefined();
  });
});

/** One project, acme/shop/checkout (a subgroup), and the people who work on it. */
const project = { ...gitlabFixture("deployment-hook").project, id: 4242, name: "checkout", path_with_namespace: "acme/shop/checkout", web_url: "https://gitlab.example.com/acme/shop/checkout" };
const people = { alice: { id: 11, name: "Alice", username: "alice" }, bob: { id: 12, name: "Bob", username: "bob" }, carol: { id: 13, name: "Carol", username: "carol" } };
const sha = (seed: string) => Buffer.from(seed.padEnd(20, "-")).toString("hex").slice(0, 40);

function push(commit: string, author: keyof typeof people, at: string): Payload {
  const p = gitlabFixture("push-hook");
  p.project = project;
  p.user_username = people[author].username;
  p.commits = [{ ...p.commits[1], id: commit, timestamp: at, message: `change ${commit.slice(0, 7)}` }];
  p.after = p.checkout_sha = commit;
  return p;
}
function mergeRequest(iid: number, author: keyof typeof people, actor: keyof typeof people, action: string, head: string, at: string, merged?: string): Payload {
  const p = gitlabFixture("merge-request-hook");
  p.project = project;
  p.user = { ...p.user, ...people[actor] };
  Object.assign(p.object_attributes, { iid, author_id: people[author].id, action, updated_at: at, state: merged ? "merged" : "opened", merge_commit_sha: merged ?? null });
  p.object_attributes.last_commit = { ...p.object_attributes.last_commit, id: head };
  return p;
}
function pipeline(id: number, commit: string, jobId: number, at: string): Payload {
  const p = gitlabFixture("pipeline-hook");
  p.project = project;
  Object.assign(p.object_attributes, { id, sha: commit, before_sha: commit, ref: "master", source: "push", finished_at: at });
  const deploy = p.builds.find((b: Payload) => b.name === "production");
  Object.assign(deploy, { id: jobId, status: "success", when: "on_success", manual: false, finished_at: at });
  return p;
}
function deployment(jobId: number, commit: string, actor: keyof typeof people, at: string): Payload {
  const p = gitlabFixture("deployment-hook");
  return { ...p, project, deployable_id: jobId, environment: "production", environment_slug: "production", environment_tier: "production", status_changed_at: at, short_sha: commit.slice(0, 8), commit_url: `https://gitlab.example.com/acme/shop/checkout/-/commit/${commit}`, user: { ...p.user, ...people[actor] } };
}

describe("a GitLab history, from the deployment back to the approver", () => {
  it("push, merge request approved by another person, merged, pipeline, deployment: the deployment names its approver", async () => {
    const change = sha("feature-1");
    const merge = sha("merge-1");
    await send("Push Hook", push(change, "alice", "2026-11-20T09:00:00Z"));
    await send("Merge Request Hook", mergeRequest(7, "alice", "alice", "open", change, "2026-11-20T09:05:00Z"));
    await send("Merge Request Hook", mergeRequest(7, "alice", "bob", "approved", change, "2026-11-20T10:00:00Z"));
    await send("Merge Request Hook", mergeRequest(7, "alice", "alice", "merge", change, "2026-11-20T10:30:00Z", merge));
    await send("Push Hook", push(merge, "alice", "2026-11-20T10:30:00Z"));
    await send("Pipeline Hook", pipeline(9001, merge, 70001, "2026-11-20T10:40:00Z"));
    await send("Deployment Hook", deployment(70001, merge, "alice", "2026-11-20T10:41:00 +0000"));
    await evaluationSettled(t.handle.db);

    const chain = await deploymentChain(t.handle.db, "gitlab:4242:job:70001");
    expect(chain.approvers).toEqual(["bob"]);
    expect(chain.pullRequest).toMatchObject({ repository: "acme/shop/checkout", number: 7, author: "alice", mergedBy: "alice" });
    expect(chain.deployRun).toMatchObject({ provider: "gitlab-ci", runId: "9001" });
    expect(chain.gates.find((g) => g.check === "merge.independent-approval")).toMatchObject({ result: "pass" });
  });

  it("a merge request approved by its own author fails merge.independent-approval", async () => {
    const change = sha("feature-2");
    const merge = sha("merge-2");
    await send("Merge Request Hook", mergeRequest(8, "carol", "carol", "open", change, "2026-11-21T09:05:00Z"));
    await send("Merge Request Hook", mergeRequest(8, "carol", "carol", "approved", change, "2026-11-21T10:00:00Z"));
    await send("Merge Request Hook", mergeRequest(8, "carol", "carol", "merge", change, "2026-11-21T10:30:00Z", merge));
    await send("Pipeline Hook", pipeline(9002, merge, 70002, "2026-11-21T10:40:00Z"));
    await send("Deployment Hook", deployment(70002, merge, "carol", "2026-11-21T10:41:00Z"));
    await evaluationSettled(t.handle.db);

    const chain = await deploymentChain(t.handle.db, "gitlab:4242:job:70002");
    expect(chain.approvers).toEqual([]);
    const gate = chain.gates.find((g) => g.check === "merge.independent-approval");
    expect(gate).toMatchObject({ result: "fail" });
    expect(JSON.stringify(gate)).toMatch(/self-approval/);
  });

  it("approval and merge arriving in any order give the same chain; an unapproval withdraws the approval", async () => {
    const change = sha("feature-3");
    const merge = sha("merge-3");
    await send("Deployment Hook", deployment(70003, merge, "bob", "2026-11-22T10:41:00Z"));
    await send("Pipeline Hook", pipeline(9003, merge, 70003, "2026-11-22T10:40:00Z"));
    await send("Merge Request Hook", mergeRequest(9, "bob", "bob", "merge", change, "2026-11-22T10:30:00Z", merge));
    await send("Merge Request Hook", mergeRequest(9, "bob", "carol", "approved", change, "2026-11-22T10:00:00Z"));
    await send("Merge Request Hook", mergeRequest(9, "bob", "alice", "approved", change, "2026-11-22T09:50:00Z"));
    await send("Merge Request Hook", mergeRequest(9, "bob", "alice", "unapproved", change, "2026-11-22T09:55:00Z"));
    await send("Merge Request Hook", mergeRequest(9, "bob", "bob", "open", change, "2026-11-22T09:05:00Z"));
    await evaluationSettled(t.handle.db);

    const chain = await deploymentChain(t.handle.db, "gitlab:4242:job:70003");
    expect(chain.approvers).toEqual(["carol"]);
    expect(chain.pullRequest).toMatchObject({ number: 9, merged: true, mergedBy: "bob", author: "bob" });
    expect(chain.gates.find((g) => g.check === "merge.independent-approval")).toMatchObject({ result: "pass" });
    expect(await t.handle.db.select().from(reviews).where(eq(reviews.pullNumber, 9))).toHaveLength(3);
  });

  it("a rebuild from the ledger gives the same chain", async () => {
    await rebuildProjections(t.handle.db);
    const chain = await deploymentChain(t.handle.db, "gitlab:4242:job:70001");
    expect(chain.approvers).toEqual(["bob"]);
    expect(chain.deployRun).toMatchObject({ runId: "9001" });
  });
});

describe("Standard Webhooks signatures and secrets per group (policy file)", () => {
  it("a group's secret is accepted for its projects only, and its signing token's signature is verified", async () => {
    const { receiveGitlabDelivery } = await import("@/lib/ingest/gitlab-webhook");
    const signing = `whsec_${randomBytes(32).toString("base64")}`;
    const credentials = [{ token: "platform-group-token-0001", signingToken: signing, instance: "https://gitlab.example.com", group: "platform", label: "GITLAB_PLATFORM" }];
    const payload = push(sha("platform-1"), "alice", "2026-11-23T09:00:00Z");
    payload.project = { ...project, path_with_namespace: "platform/api" };
    const body = JSON.stringify(payload);
    const msgId = "msg_2bqJfD1l2u8f2HVRvbtWEGQkZuP";
    const now = new Date();
    const signature = new Webhook(signing).sign(msgId, now, body);
    const req = (over: Partial<Parameters<typeof receiveGitlabDelivery>[1]> = {}) => ({
      token: "platform-group-token-0001",
      event: "Push Hook",
      instance: "https://gitlab.example.com",
      deliveryId: msgId,
      signature: { id: msgId, timestamp: String(Math.floor(now.getTime() / 1000)), signature },
      contentType: "application/json",
      body,
      ...over,
    });
    await expect(receiveGitlabDelivery(t.handle.db, req({ signature: { id: msgId, timestamp: String(Math.floor(now.getTime() / 1000)), signature: "v1,AAAA" } }), credentials)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    await expect(receiveGitlabDelivery(t.handle.db, req({ signature: { id: null, timestamp: null, signature: null } }), credentials)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    await expect(receiveGitlabDelivery(t.handle.db, req({ instance: "https://gitlab.com" }), credentials)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    const other = { ...payload, project: { ...project, path_with_namespace: "platformer/api" } };
    await expect(receiveGitlabDelivery(t.handle.db, req({ body: JSON.stringify(other) }), credentials)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    expect(await ledgerRow(msgId)).toBeUndefined();
    expect(await receiveGitlabDelivery(t.handle.db, req(), credentials)).toEqual({ delivery: msgId, status: "stored" });
  });
});
