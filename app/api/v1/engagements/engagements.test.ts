import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { sessionCookies } from "@/lib/auth/testing";
import { ingestEvents } from "@/lib/ingest/events-api";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { ATTACHMENT_MAX_BYTES } from "@/lib/engagements/attachments";
import * as list from "./route";
import * as one from "./[id]/route";
import * as auditors from "./[id]/auditors/route";
import * as sample from "./[id]/sample/route";
import * as requests from "./[id]/requests/route";
import * as answers from "./[id]/requests/[requestId]/answers/route";
import * as attachment from "./[id]/attachments/[attachmentId]/route";
import { acceptInvitation } from "@/lib/engagements/auditors";

let t: RouteHarness;
let cookies: Awaited<ReturnType<typeof sessionCookies>>;
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const call = (path: string, cookie: string, init: { method?: string; json?: unknown; body?: BodyInit } = {}) =>
  new Request(`http://localhost${path}`, {
    method: init.method ?? (init.json !== undefined || init.body !== undefined ? "POST" : "GET"),
    headers: { cookie, origin: "http://localhost", ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });

async function create(name: string): Promise<number> {
  const res = await list.POST(call("/api/v1/engagements", cookies.compliance, { json: { name, framework: "soc2", from: "2026-11-01", to: "2026-11-30", endsAt: "2099-01-31" } }), ctx({}));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

beforeAll(async () => {
  t = await setupRouteHarness();
  cookies = await sessionCookies(t.handle.db);
  const events = [1, 2, 3].map((i) => ({ id: `api-deploy-${i}`, type: "deployment", occurredAt: `2026-11-0${i}T10:00:00.000Z`, service: "checkout", environment: "production", imageRef: `ghcr.io/acme/checkout@sha256:${String(i).repeat(64)}`, digest: `sha256:${String(i).repeat(64)}`, actor: "github-actions[bot]", actorType: "pipeline", status: "success" }));
  const body = { events };
  await ingestEvents(t.handle.db, body, JSON.stringify(body));
}, 120_000);
afterAll(async () => t?.handle.close());

describe("engagements over the API", () => {
  it("refuses a period that ends before it starts (400) and stores nothing", async () => {
    const res = await list.POST(call("/api/v1/engagements", cookies.compliance, { json: { name: "Backwards", framework: "soc2", from: "2026-11-30", to: "2026-11-01" } }), ctx({}));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "VALIDATION", message: expect.stringContaining("to") } });
    const all = (await (await list.GET(call("/api/v1/engagements", cookies.compliance), ctx({}))).json()) as { engagements: { name: string }[] };
    expect(all.engagements.map((e) => e.name)).not.toContain("Backwards");
  });

  it("refuses (409) an invitation to an e-mail that holds a non-auditor account", async () => {
    const id = await create("Conflict");
    const res = await auditors.POST(call(`/api/v1/engagements/${id}/auditors`, cookies.compliance, { json: { email: "manager@custody.demo" } }), ctx({ id: String(id) }));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "CONFLICT" } });
  });

  it("limits an auditor to their engagement: another answers 404, the evidence API 403; an expired one is refused at once", async () => {
    const mine = await create("Mine");
    const theirs = await create("Theirs");
    const inv = await auditors.POST(call(`/api/v1/engagements/${mine}/auditors`, cookies.compliance, { json: { email: "lee@auditfirm.test" } }), ctx({ id: String(mine) }));
    expect(inv.status).toBe(201);
    const { invitationUrl } = (await inv.json()) as { invitationUrl: string };
    const token = invitationUrl.split("/invite/")[1] ?? "";
    const s = await acceptInvitation(t.handle.db, token, "correct horse battery staple");
    const lee = `${SESSION_COOKIE}=${s.cookieValue}`;

    expect((await one.GET(call(`/api/v1/engagements/${mine}`, lee), ctx({ id: String(mine) }))).status).toBe(200);
    const other = await one.GET(call(`/api/v1/engagements/${theirs}`, lee), ctx({ id: String(theirs) }));
    expect(other.status).toBe(404);
    const missing = await one.GET(call(`/api/v1/engagements/999999`, lee), ctx({ id: "999999" }));
    expect((await other.json()) as unknown).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect(missing.status).toBe(404);
    const listed = (await (await list.GET(call("/api/v1/engagements", lee), ctx({}))).json()) as { engagements: { id: number }[] };
    expect(listed.engagements.map((e) => e.id)).toEqual([mine]);
    const { GET: deployments } = await import("../deployments/route");
    expect((await deployments(call("/api/v1/deployments", lee), ctx({}))).status).toBe(403);

    await t.handle.db.update(users).set({ accessExpiresAt: new Date(Date.now() - 1) }).where(eq(users.email, "lee@auditfirm.test"));
    expect((await one.GET(call(`/api/v1/engagements/${mine}`, lee), ctx({ id: String(mine) }))).status).toBe(401);
  });

  it("answers a request with a file: 413 over the limit, HTML refused, and the download is never inline", async () => {
    const id = await create("Files");
    const inv = await auditors.POST(call(`/api/v1/engagements/${id}/auditors`, cookies.compliance, { json: { email: "pat@auditfirm.test" } }), ctx({ id: String(id) }));
    const token = ((await inv.json()) as { invitationUrl: string }).invitationUrl.split("/invite/")[1] ?? "";
    const pat = `${SESSION_COOKIE}=${(await acceptInvitation(t.handle.db, token, "correct horse battery staple")).cookieValue}`;
    const drawn = await sample.POST(call(`/api/v1/engagements/${id}/sample`, pat, { json: { size: "2", seed: "s1" } }), ctx({ id: String(id) }));
    expect(drawn.status, await drawn.clone().text()).toBe(201);
    const { changeIds } = (await drawn.json()) as { changeIds: string[] };
    expect(changeIds).toHaveLength(2);
    const raised = await requests.POST(call(`/api/v1/engagements/${id}/requests`, pat, { json: { title: "Approval evidence", changeId: changeIds[0] } }), ctx({ id: String(id) }));
    expect(raised.status).toBe(201);
    const rid = String(((await raised.json()) as { id: number }).id);
    const params = ctx({ id: String(id), requestId: rid });

    const tooBig = new FormData();
    tooBig.set("body", "x");
    tooBig.set("file", new Blob([Buffer.concat([Buffer.from("%PDF-"), Buffer.alloc(ATTACHMENT_MAX_BYTES)])]), "big.pdf");
    expect((await answers.POST(call(`/api/v1/engagements/${id}/requests/${rid}/answers`, cookies.compliance, { body: tooBig }), params)).status).toBe(413);
    const html = new FormData();
    html.set("file", new Blob(["<!doctype html><script>alert(1)</script>"]), "evidence.html");
    expect((await answers.POST(call(`/api/v1/engagements/${id}/requests/${rid}/answers`, cookies.compliance, { body: html }), params)).status).toBe(415);
    // The auditor cannot answer their own request.
    const ok = new FormData();
    ok.set("body", "CAB minutes attached");
    ok.set("file", new Blob(["%PDF-1.4\n% minutes\n"]), "CAB <minutes>\".pdf");
    expect((await answers.POST(call(`/api/v1/engagements/${id}/requests/${rid}/answers`, pat, { body: ok }), params)).status).toBe(403);
    const answered = await answers.POST(call(`/api/v1/engagements/${id}/requests/${rid}/answers`, cookies.compliance, { body: ok }), params);
    expect(answered.status, await answered.clone().text()).toBe(201);
    const thread = (await answered.json()) as { messages: { attachments: { id: number; sha256: string }[] }[] };
    const file = thread.messages[0]?.attachments[0];
    const dl = await attachment.GET(call(`/api/v1/engagements/${id}/attachments/${file?.id}`, pat), ctx({ id: String(id), attachmentId: String(file?.id) }));
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-disposition")).toBe('attachment; filename="CAB_minutes_.pdf"');
    expect(dl.headers.get("content-type")).toBe("application/pdf");
    expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await dl.arrayBuffer()).toString()).toContain("% minutes");

    const csv = await requests.GET(call(`/api/v1/engagements/${id}/requests?format=csv`, pat), ctx({ id: String(id) }));
    expect(csv.headers.get("content-disposition")).toContain("attachment");
    expect(await csv.text()).toContain(file?.sha256 ?? "none");
  });
});
