import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { engagementAuditors, engagements } from "@/db/schema";
import type { Actor } from "../auth/users";
import { endAuditorAccess, inviteAuditor } from "../engagements/auditors";
import { createEngagement } from "../engagements/freeze";
import { answerRequest, raiseRequest, resolveRequest } from "../engagements/requests";
import { drawEngagementSample } from "../engagements/sample";
import { closeEngagement, markTest } from "../engagements/tests";
import { DEMO_DEFAULT_END } from "./generate";
import { demoUsers } from "./users";

const DAY = 86_400_000;
const compliance: Actor = { actor: demoUsers.find((u) => u.role === "compliance")?.email ?? "compliance@custody.demo", actorType: "system", ip: null };
const policyText = Buffer.from("Change management policy v4.2 (demo)\n\nEvery production change is reviewed by someone other than its author and deployed by the pipeline.\n");
const cabMinutes = Buffer.from("%PDF-1.4\n% Demo CAB minutes: emergency change approved retrospectively.\n");

const monthStart = (t: Date, back: number) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - back, 1));

/**
 * The two engagements' periods, from where the demo history ends: the closed one is the month
 * before last (the SOC 2 report's quarter named after it), the open one runs from the last month's
 * start to the day after the end. For the tests' fixed history (ending 2026-11-27): September 2026,
 * "Q3 2026", and 2026-10-01 to 2026-11-28.
 */
export function demoEngagementPeriods(end: Date): { closed: { from: Date; to: Date; quarter: string }; open: { from: Date; to: Date; year: number }; policyApproved: string } {
  const from = monthStart(end, 2);
  const quarter = `Q${Math.floor(from.getUTCMonth() / 3) + 1} ${from.getUTCFullYear()}`;
  const openFrom = monthStart(end, 1);
  const dayAfter = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() + 1));
  // The change-management policy was approved well before the audited period (81 days: 2026-06-12).
  const policyApproved = new Date(from.getTime() - 81 * DAY).toISOString().slice(0, 10);
  return { closed: { from, to: openFrom, quarter }, open: { from: openFrom, to: dayAfter, year: openFrom.getUTCFullYear() }, policyApproved };
}

/**
 * Two engagements for the demo, once: a SOC 2 engagement signed off (sample tested, requests
 * answered and accepted, the former auditor's access ended), and an ISO 27001 one in progress
 * whose auditor is the demo's engagement-auditor account. Their periods follow the history's end.
 */
export async function ensureDemoEngagements(db: Database, now = new Date(), end = new Date(DEMO_DEFAULT_END)): Promise<void> {
  if ((await db.select({ id: engagements.id }).from(engagements).limit(1)).length > 0) return;
  const periods = demoEngagementPeriods(end);
  const q = periods.closed.quarter;

  const closed = await createEngagement(db, compliance, { name: `SOC 2 Type II, ${q}`, framework: "soc2", from: periods.closed.from, to: periods.closed.to, environments: [], services: [], endsAt: new Date(now.getTime() + 14 * DAY) });
  const former = await inviteAuditor(db, compliance, closed, { email: "j.okafor@auditfirm.example", name: "Jo Okafor (Audit Firm LLP)" }, now);
  await db.update(engagementAuditors).set({ invitationHash: null, invitationExpiresAt: null, acceptedAt: now }).where(eq(engagementAuditors.userId, former.userId));
  const jo: Actor = { actor: former.email, actorType: "user", ip: null };
  const s1 = await drawEngagementSample(db, jo, closed, { size: 10, seed: "q3-2026" });
  const pbc = await raiseRequest(db, jo, closed, { title: `Change management policy in force during ${q.split(" ")[0]}`, body: "The approved version and its approval record.", changeId: null });
  await answerRequest(db, compliance, closed, pbc.id, { body: `Version 4.2, approved ${periods.policyApproved}.`, files: [{ name: "change-management-policy-v4.2.txt", data: policyText }] });
  await resolveRequest(db, jo, closed, pbc.id, { action: "accept", note: "" });
  const flagged = s1.changeIds[0];
  if (flagged) {
    const onChange = await raiseRequest(db, jo, closed, { title: "Approval evidence for this change", body: "Who approved it, and when relative to the deployment?", changeId: flagged });
    await answerRequest(db, compliance, closed, onChange.id, { body: "Emergency change; CAB approved it the next morning (minutes attached).", files: [{ name: "cab-minutes.pdf", data: cabMinutes }] });
    await resolveRequest(db, jo, closed, onChange.id, { action: "accept", note: "Retrospective approval within policy." });
  }
  for (const id of s1.changeIds) await markTest(db, jo, closed, id, id === flagged ? { result: "exception", note: "Approved after deployment (emergency procedure followed)." } : { result: "pass", note: "" });
  const done = await closeEngagement(db, jo, closed, `Change management operated effectively in ${q}, with one exception (a retrospectively approved emergency change).`);
  await endAuditorAccess(db, compliance, done, former.userId);

  const open = await createEngagement(db, compliance, { name: `ISO 27001 surveillance audit ${periods.open.year}`, framework: "iso27001", from: periods.open.from, to: periods.open.to, environments: [], services: [], endsAt: new Date(now.getTime() + 28 * DAY) });
  const external = demoUsers.find((u) => u.role === "engagement-auditor");
  if (!external) return;
  const seat = await inviteAuditor(db, compliance, open, { email: external.email, name: external.name }, now);
  // The demo account signs in with its demo password; its invitation is spent already.
  await db.update(engagementAuditors).set({ invitationHash: null, invitationExpiresAt: null, acceptedAt: now }).where(eq(engagementAuditors.userId, seat.userId));
  const esther: Actor = { actor: external.email, actorType: "user", ip: null };
  const s2 = await drawEngagementSample(db, esther, open, { size: 8, seed: "iso-2026" });
  const [first, second] = s2.changeIds;
  if (first) await markTest(db, esther, open, first, { result: "pass", note: "" });
  if (second) {
    const r = await raiseRequest(db, esther, open, { title: "Staging verification evidence", body: "Show the staging run this digest passed before production.", changeId: second });
    await answerRequest(db, compliance, open, r.id, { body: "The staging deployment and its verification attestation are linked in the chain; export attached.", files: [{ name: "staging-verification.txt", data: Buffer.from(`Staging verification for ${second}: passed (demo).\n`) }] });
  }
  await raiseRequest(db, esther, open, { title: "Access review for production deploy rights", body: "The latest quarterly access review of who may deploy to production.", changeId: null });
}
