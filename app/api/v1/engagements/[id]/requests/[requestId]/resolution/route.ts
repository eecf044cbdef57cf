import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { engagementRoute } from "@/lib/engagements/http";
import { messageText, parseId } from "@/lib/engagements/input";
import { resolveRequest } from "@/lib/engagements/requests";
import { validation } from "@/lib/errors";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The auditor accepts the answer or reopens the request: { action: accept | reopen, note? }. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string; requestId: string }> }) => {
  const db = await getDb();
  const params = await ctx.params;
  const { actor, engagement } = await engagementRoute(db, req, params.id, "engagements:audit");
  const { fields } = await readFields(req);
  const action = fields.action;
  if (action !== "accept" && action !== "reopen") throw validation("action: must be accept or reopen");
  return json(await resolveRequest(db, actor, engagement, parseId(params.requestId, "requestId"), { action, note: messageText(fields, "note", false) }));
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
