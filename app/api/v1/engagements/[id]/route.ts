import { getDb } from "@/lib/db";
import { engagementRoute } from "@/lib/engagements/http";
import { engagementSummary, summaryJson } from "@/lib/engagements/summary";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:read");
  return json(summaryJson(await engagementSummary(db, engagement)));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
