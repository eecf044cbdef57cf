import { getDb } from "@/lib/db";
import { endAuditorAccess } from "@/lib/engagements/auditors";
import { engagementRoute } from "@/lib/engagements/http";
import { parseId } from "@/lib/engagements/input";
import { handler, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Ends the auditor's access now; their open sessions are refused from this request on. */
export const DELETE = handler(async (req: Request, ctx: { params: Promise<{ id: string; userId: string }> }) => {
  const db = await getDb();
  const params = await ctx.params;
  const { actor, engagement } = await engagementRoute(db, req, params.id, "engagements:manage");
  await endAuditorAccess(db, actor, engagement, parseId(params.userId, "userId"));
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
