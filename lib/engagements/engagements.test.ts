import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type createTestDatabase } from "@/db/testing";
import { auditLog, users } from "@/db/schema";
import { resolveSession } from "../auth/sessions";
import { createUser } from "../auth/users";
import { ingestEvents } from "../ingest/events-api";
import { verifyPackage } from "../reports/verify-package";
import { demoPeriod, testSigningKey, unzip } from "../reports/test-support";
import { engagementFor } from "./access";
import { ATTACHMENT_MAX_BYTES } from "./attachments";
import { acceptInvitation, endAuditorAccess, inviteAuditor } from "./auditors";
import { createEngagement, frozenIds } from "./freeze";
import { parseEngagementInput } from "./input";
import { engagementPackage } from "./package";
import { answerRequest, raiseRequest, resolveRequest } from "./requests";
import { drawEngagementSample } from "./sample";
import { engagementSummary } from "./summary";
import { closeEngagement, markTest } from "./tests";
import { demoDatabase } from "@/lib/testing/demo-database";

let handle: Awaited<ReturnType<typeof createTestDatabase>>;
const key = testSigningKey();
const compliance = { actor: "compliance@custody.demo", actorType: "user" as const, ip: null };
const now = new Date("2026-11-28T09:00:00Z");
const input = (extra: Record<string, string> = {}) => parseEngagementInput({ name: "SOC 2 Type II 2026", framework: "soc2", ...demoPeriod, endsAt: "2099-01-31", ...extra }, now);

beforeAll(async () => {
  handle = await demoDatabase("30-days");
  await createUser(handle.db, { actor: "test", actorType: "system" }, { email: "colin@acme.test", role: "compliance", password: "a-long-password-123" });
}, 240_000);
afterAll(async () => handle?.close());

describe("creating an engagement", () => {
  it("refuses a period that ends before it starts (400)", () => {
    expect(() => input({ from: "2026-11-20", to: "2026-11-01" })).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });

  it("freezes the population at the ledger's tree size: later evidence is shown as arrived since, never mixed in", async () => {
    const e = await createEngagement(handle.db, compliance, input(), key);
    const before = await frozenIds(handle.db, e.id);
    expect(before.length).toBeGreaterThan(20);
    expect(e.treeSize).toBeGreaterThan(0);
    const body = { id: "late-prod-deploy-1", type: "deployment", occurredAt: "2026-11-10T12:00:00.000Z", service: "checkout", environment: "production", imageRef: `ghcr.io/acme/checkout@sha256:${"ab".repeat(32)}`, digest: `sha256:${"ab".repeat(32)}`, commitSha: "4ee59cf812f630b0560663c55f96079bfd079b5f", actor: "github-actions[bot]", actorType: "pipeline", status: "success" };
    await ingestEvents(handle.db, body, JSON.stringify(body));
    expect(await frozenIds(handle.db, e.id)).toEqual(before);
    const s = await engagementSummary(handle.db, e);
    expect(s.populationSize).toBe(before.length);
    expect(s.arrivals.ledgerEntries).toBeGreaterThanOrEqual(1);
    expect(s.arrivals.lateChanges.map((c) => c.changeId)).toContain("late-prod-deploy-1");
  });
});

describe("an engagement from invitation to signed package", () => {
  it("runs end to end, every step audit-logged, and the package verifies offline", async () => {
    const e = await createEngagement(handle.db, compliance, input({ name: "ISO 27001 surveillance", framework: "iso27001" }), key);
    const other = await createEngagement(handle.db, compliance, input({ name: "Other" }), key);

    await expect(inviteAuditor(handle.db, compliance, e, { email: "colin@acme.test" })).rejects.toMatchObject({ code: "CONFLICT" });
    const invitation = await inviteAuditor(handle.db, compliance, e, { email: "Kim@Auditfirm.test", name: "Kim Auditor" });
    expect(JSON.stringify(await handle.db.select().from(auditLog))).not.toContain(invitation.token);
    await expect(inviteAuditor(handle.db, compliance, other, { email: "kim@auditfirm.test" })).rejects.toMatchObject({ code: "CONFLICT" });
    const signedIn = await acceptInvitation(handle.db, invitation.token, "correct horse battery staple");
    await expect(acceptInvitation(handle.db, invitation.token, "correct horse battery staple")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const session = await resolveSession(handle.db, signedIn.cookieValue);
    expect(session?.user.role).toBe("engagement-auditor");
    const viewer = session?.user;
    if (!viewer) throw new Error("no session");
    expect((await engagementFor(handle.db, viewer, e.id)).id).toBe(e.id);
    await expect(engagementFor(handle.db, viewer, other.id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    const kim = { actor: viewer.email, actorType: "user" as const, ip: null };
    const first = await drawEngagementSample(handle.db, kim, e, { size: 5, seed: "kim-1" });
    const again = await drawEngagementSample(handle.db, kim, e, { size: 5, seed: "kim-1", reason: "checking the draw repeats" });
    expect(again.changeIds).toEqual(first.changeIds);
    await expect(drawEngagementSample(handle.db, kim, e, { size: 5 })).rejects.toMatchObject({ code: "VALIDATION" });
    const [redraw] = await handle.db.select().from(auditLog).where(eq(auditLog.action, "engagement.sample.redraw"));
    expect(redraw?.details).toMatchObject({ reason: "checking the draw repeats", seed: "kim-1", size: 5 });

    const changeId = first.changeIds[0] ?? "";
    await expect(raiseRequest(handle.db, kim, e, { title: "x", body: "", changeId: "not-sampled" })).rejects.toMatchObject({ code: "VALIDATION" });
    const req = await raiseRequest(handle.db, kim, e, { title: "Approval evidence missing", body: "Show the CAB approval", changeId });
    await expect(answerRequest(handle.db, compliance, e, req.id, { body: "big", files: [{ name: "big.pdf", data: Buffer.concat([Buffer.from("%PDF-"), Buffer.alloc(ATTACHMENT_MAX_BYTES)]) }] })).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    await expect(answerRequest(handle.db, compliance, e, req.id, { body: "page", files: [{ name: "cab.txt", data: Buffer.from("<html><script>alert(1)</script>") }] })).rejects.toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    await expect(answerRequest(handle.db, compliance, e, req.id, { body: "fake", files: [{ name: "cab.pdf", data: Buffer.from("<html>") }] })).rejects.toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    const pdf = Buffer.from("%PDF-1.4\n% CAB minutes 2026-11-03\n");
    const answered = await answerRequest(handle.db, compliance, e, req.id, { body: "CAB minutes attached", files: [{ name: "../CAB minutes.pdf", data: pdf }] });
    expect(answered.status).toBe("answered");
    expect(answered.messages[0]?.attachments[0]?.fileName).toBe("CAB_minutes.pdf");
    const [answerEntry] = await handle.db.select().from(auditLog).where(eq(auditLog.action, "engagement.request.answer"));
    expect(JSON.stringify(answerEntry?.details)).toContain(answered.messages[0]?.attachments[0]?.sha256 ?? "none");
    expect((await resolveRequest(handle.db, kim, e, req.id, { action: "accept", note: "" })).status).toBe("accepted");

    await expect(closeEngagement(handle.db, kim, e, "fine")).rejects.toMatchObject({ code: "CONFLICT" });
    for (const id of first.changeIds) await markTest(handle.db, kim, e, id, id === changeId ? { result: "exception", note: "approval after deployment" } : { result: "pass", note: "" });
    const closed = await closeEngagement(handle.db, kim, e, "Operating effectively with one exception.");
    expect(closed.state).toBe("closed");
    await expect(markTest(handle.db, kim, closed, changeId, { result: "pass", note: "" })).rejects.toMatchObject({ code: "CONFLICT" });

    const summary = await engagementSummary(handle.db, closed);
    const { data } = await engagementPackage(handle.db, summary, key);
    const v = await verifyPackage(data, key.publicKeyPem);
    expect(v.ok, JSON.stringify({ files: v.files.filter((f) => f.status !== "ok"), sig: v.signature, ledger: v.ledger?.problems })).toBe(true);
    expect(v.ledger?.checkpoint?.treeSize).toBe(e.treeSize);
    const files = await unzip(data);
    expect(files.get("requests.csv")?.toString()).toContain("Approval evidence missing");
    expect([...files.keys()].some((f) => f.startsWith("attachments/") && f.endsWith("CAB_minutes.pdf"))).toBe(true);
    expect(files.get("sample.csv")?.toString()).toContain("approval after deployment");

    const actions = (await handle.db.select().from(auditLog).where(like(auditLog.target, `engagement:${e.id}`))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["engagement.create", "engagement.auditor.invite", "engagement.auditor.accept", "engagement.sample.draw", "engagement.sample.redraw", "engagement.request.raise", "engagement.request.answer", "engagement.request.accept", "engagement.test.mark", "engagement.close"]));

    // Ended early: the open session is refused at once, and so is a new sign-in's session.
    await endAuditorAccess(handle.db, compliance, closed, viewer.id);
    expect(await resolveSession(handle.db, signedIn.cookieValue)).toBeNull();
  });

  it("refuses an expired auditor's open session at once", async () => {
    const e = await createEngagement(handle.db, compliance, input({ name: "Short" }), key);
    const inv = await inviteAuditor(handle.db, compliance, e, { email: "short@auditfirm.test" });
    const s = await acceptInvitation(handle.db, inv.token, "correct horse battery staple");
    expect(await resolveSession(handle.db, s.cookieValue)).not.toBeNull();
    await handle.db.update(users).set({ accessExpiresAt: new Date(Date.now() - 1000) }).where(eq(users.id, inv.userId));
    expect(await resolveSession(handle.db, s.cookieValue)).toBeNull();
  });
});
