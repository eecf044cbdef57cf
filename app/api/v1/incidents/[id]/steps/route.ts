import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { addStep } from "@/lib/incidents/edit";
import { actorOfPrincipal, parseIncidentId, parseStep } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "incidents:write");
  const id = parseIncidentId((await ctx.params).id);
  requireJson(req);
  const step = await addStep(db, actorOfPrincipal(who, req), id, parseStep(parseJson(await readBody(req, config().maxBodyBytes))));
  return json({ id: step.id, incident: id }, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
