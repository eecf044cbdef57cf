import { desc, eq } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { engagementSamples, type Engagement, type EngagementSample } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { Actor } from "../auth/users";
import { validation } from "../errors";
import { drawSample, newSeed, sampleMethod } from "../reports/sample";
import { requireOpen } from "./access";
import { frozenIds } from "./freeze";

/** The sample in force: the latest draw, or null before the first. */
export async function currentSample(db: Queryable, engagementId: number): Promise<EngagementSample | null> {
  const [row] = await db.select().from(engagementSamples).where(eq(engagementSamples.engagementId, engagementId)).orderBy(desc(engagementSamples.drawNo)).limit(1);
  return row ?? null;
}

export async function sampleHistory(db: Queryable, engagementId: number): Promise<EngagementSample[]> {
  return db.select().from(engagementSamples).where(eq(engagementSamples.engagementId, engagementId)).orderBy(engagementSamples.drawNo);
}

/**
 * Draws the sample from the frozen population with the reports' seeded method (lib/reports/sample.ts),
 * so the same seed and size give the same changes, now or in a year. A redraw needs a reason; both
 * are audit-logged with seed, size and method.
 */
export async function drawEngagementSample(db: Database, by: Actor, e: Engagement, input: { size: number; seed?: string; reason?: string }): Promise<EngagementSample> {
  requireOpen(e);
  return db.transaction(async (tx) => {
    const previous = await currentSample(tx, e.id);
    if (previous && !input.reason) throw validation("reason: a redraw replaces the sample in force; say why");
    const ids = await frozenIds(tx, e.id);
    const seed = input.seed ?? newSeed();
    const changeIds = drawSample(ids, input.size, seed);
    const [row] = await tx
      .insert(engagementSamples)
      .values({
        engagementId: e.id,
        drawNo: (previous?.drawNo ?? 0) + 1,
        seed,
        requestedSize: input.size,
        size: changeIds.length,
        method: sampleMethod,
        populationSize: ids.length,
        reason: input.reason ?? null,
        changeIds,
        drawnBy: by.actor,
      })
      .returning();
    if (!row) throw new Error("sample insert returned nothing");
    await recordAudit(tx, {
      ...by,
      action: previous ? "engagement.sample.redraw" : "engagement.sample.draw",
      target: `engagement:${e.id}`,
      details: { drawNo: row.drawNo, seed, requestedSize: input.size, size: row.size, populationSize: ids.length, method: sampleMethod, treeSize: e.treeSize, ...(previous ? { reason: input.reason, replacesDraw: previous.drawNo, previousSeed: previous.seed } : {}), changeIds },
    });
    return row;
  });
}
