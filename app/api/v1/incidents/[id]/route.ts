import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { incidentDetail } from "@/lib/incidents/detail";
import { updateIncident } from "@/lib/incidents/edit";
import { actorOfPrincipal, parseIncidentId, parseIncidentPatch } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (req: Request, ctx: Ctx) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json(await incidentDetail(db, parseIncidentId((await ctx.params).id)));
});

export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const db = await getDb();
  const who = await authorize(db, req, "incidents:write");
  const id = parseIncidentId((await ctx.params).id);
  requireJson(req);
  await updateIncident(db, actorOfPrincipal(who, req), id, parseIncidentPatch(parseJson(await readBody(req, config().maxBodyBytes))));
  return json(await incidentDetail(db, id));
});

export const { POST, PUT, DELETE, OPTIONS } = otherMethods(["GET", "PATCH"]);
