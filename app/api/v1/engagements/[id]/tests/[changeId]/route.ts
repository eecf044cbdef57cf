import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { engagementRoute } from "@/lib/engagements/http";
import { parseMark } from "@/lib/engagements/input";
import { markTest } from "@/lib/engagements/tests";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The auditor's test of one sampled change: { result: pass | exception, note }. */
export const PUT = handler(async (req: Request, ctx: { params: Promise<{ id: string; changeId: string }> }) => {
  const db = await getDb();
  const params = await ctx.params;
  const { actor, engagement } = await engagementRoute(db, req, params.id, "engagements:audit");
  const t = await markTest(db, actor, engagement, params.changeId.slice(0, 300), parseMark((await readFields(req)).fields));
  return json({ changeId: t.changeId, result: t.result, note: t.note, markedBy: t.markedBy, markedAt: t.markedAt.toISOString() });
});

export const { GET, POST, PATCH, DELETE, OPTIONS } = otherMethods(["PUT"]);
