import { eq, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { engagementRequests, engagementTests, engagements, type Engagement, type EngagementTest } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { Actor } from "../auth/users";
import { AppError, notFound } from "../errors";
import { requireOpen } from "./access";
import { currentSample } from "./sample";

/** The auditor's test of one sampled change (pass, or exception with a note); re-marking replaces it and is logged. */
export async function markTest(db: Database, by: Actor, e: Engagement, changeId: string, input: { result: "pass" | "exception"; note: string }): Promise<EngagementTest> {
  requireOpen(e);
  return db.transaction(async (tx) => {
    const sample = await currentSample(tx, e.id);
    if (!sample?.changeIds.includes(changeId)) throw notFound(`change ${changeId.slice(0, 100)} in the sample in force`);
    const values = { engagementId: e.id, changeId, result: input.result, note: input.note, markedBy: by.actor, markedAt: new Date() };
    const [row] = await tx
      .insert(engagementTests)
      .values(values)
      .onConflictDoUpdate({ target: [engagementTests.engagementId, engagementTests.changeId], set: { result: values.result, note: values.note, markedBy: values.markedBy, markedAt: values.markedAt } })
      .returning();
    if (!row) throw new Error("test upsert returned nothing");
    await recordAudit(tx, { ...by, action: "engagement.test.mark", target: `engagement:${e.id}`, details: { changeId, result: input.result, note: input.note, drawNo: sample.drawNo } });
    return row;
  });
}

export async function testsOf(db: Queryable, engagementId: number): Promise<Map<string, EngagementTest>> {
  const rows = await db.select().from(engagementTests).where(eq(engagementTests.engagementId, engagementId));
  return new Map(rows.map((r) => [r.changeId, r]));
}

/** What still stands between the engagement and its sign-off. */
export async function closeBlockers(db: Queryable, e: Engagement): Promise<string[]> {
  const sample = await currentSample(db, e.id);
  if (!sample) return ["draw the sample"];
  const tests = await testsOf(db, e.id);
  const out: string[] = [];
  const unmarked = sample.changeIds.filter((id) => !tests.has(id));
  if (unmarked.length > 0) out.push(`mark ${unmarked.length} sampled change${unmarked.length === 1 ? "" : "s"} as tested`);
  const [open] = await db.select({ n: sql<number>`count(*)::int` }).from(engagementRequests).where(sql`${engagementRequests.engagementId} = ${e.id} and ${engagementRequests.status} <> 'accepted'`);
  if ((open?.n ?? 0) > 0) out.push(`accept or settle ${open?.n} request${open?.n === 1 ? "" : "s"}`);
  return out;
}

/** The auditor signs off: every sampled change tested and every request accepted, or 409 naming what is missing. */
export async function closeEngagement(db: Database, by: Actor, e: Engagement, conclusion: string): Promise<Engagement> {
  requireOpen(e);
  return db.transaction(async (tx) => {
    const blockers = await closeBlockers(tx, e);
    if (blockers.length > 0) throw new AppError("CONFLICT", `engagement ${e.id} cannot close yet: ${blockers.join("; ")}`);
    const now = new Date();
    const [row] = await tx.update(engagements).set({ state: "closed", closedAt: now, closedBy: by.actor, conclusion }).where(eq(engagements.id, e.id)).returning();
    if (!row) throw new Error("engagement update returned nothing");
    const sample = await currentSample(tx, e.id);
    const tests = [...(await testsOf(tx, e.id)).values()];
    await recordAudit(tx, {
      ...by,
      action: "engagement.close",
      target: `engagement:${e.id}`,
      details: { conclusion, drawNo: sample?.drawNo, sampleSize: sample?.size, passed: tests.filter((t) => t.result === "pass").length, exceptions: tests.filter((t) => t.result === "exception").length },
    });
    return row;
  });
}
