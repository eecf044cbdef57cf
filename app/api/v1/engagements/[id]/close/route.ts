import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { engagementRoute } from "@/lib/engagements/http";
import { messageText } from "@/lib/engagements/input";
import { engagementSummary, summaryJson } from "@/lib/engagements/summary";
import { closeEngagement } from "@/lib/engagements/tests";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The auditor signs off: { conclusion }; 409 naming what is still untested or unaccepted. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:audit");
  const closed = await closeEngagement(db, actor, engagement, messageText((await readFields(req)).fields, "conclusion"));
  return json(summaryJson(await engagementSummary(db, closed)));
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
