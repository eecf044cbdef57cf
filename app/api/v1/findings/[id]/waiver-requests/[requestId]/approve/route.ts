import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { approveWaiverRequest } from "@/lib/findings/waivers";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

/** A second, signed-in person approves a waiver request; the waiver names them as approver. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string; requestId: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "findings:waive");
  const { id, requestId } = await ctx.params;
  if (!/^\d{1,15}$/.test(id) || !/^\d{1,15}$/.test(requestId)) throw notFound(`waiver request ${requestId} of finding ${id}`);
  return json(await approveWaiverRequest(db, Number(id), Number(requestId), actorOfPrincipal(who, req)), { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
