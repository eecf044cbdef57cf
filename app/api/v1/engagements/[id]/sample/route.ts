import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { engagementRoute } from "@/lib/engagements/http";
import { parseDraw } from "@/lib/engagements/input";
import { drawEngagementSample } from "@/lib/engagements/sample";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Draws (or, with a reason, redraws) the sample from the frozen population: { size, seed?, reason? }. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:audit");
  const s = await drawEngagementSample(db, actor, engagement, parseDraw((await readFields(req)).fields));
  return json({ drawNo: s.drawNo, seed: s.seed, requestedSize: s.requestedSize, size: s.size, method: s.method, populationSize: s.populationSize, reason: s.reason, changeIds: s.changeIds }, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
