import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { incidentDetail } from "@/lib/incidents/detail";
import { closeIncident } from "@/lib/incidents/edit";
import { actorOfPrincipal, parseIncidentId } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "incidents:write");
  const id = parseIncidentId((await ctx.params).id);
  await closeIncident(db, actorOfPrincipal(who, req), id);
  return json(await incidentDetail(db, id));
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
