import { getDb } from "@/lib/db";
import { engagementRoute, readAnswer } from "@/lib/engagements/http";
import { messageText, parseId } from "@/lib/engagements/input";
import { answerRequest } from "@/lib/engagements/requests";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Compliance answers: multipart/form-data with `body` and up to five `file` parts (or JSON { body }). */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string; requestId: string }> }) => {
  const db = await getDb();
  const params = await ctx.params;
  const { actor, engagement } = await engagementRoute(db, req, params.id, "engagements:manage");
  const { fields, files } = await readAnswer(req);
  const thread = await answerRequest(db, actor, engagement, parseId(params.requestId, "requestId"), { body: messageText(fields, "body", false), files });
  return json(thread, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
