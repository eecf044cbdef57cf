import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { listIncidents } from "@/lib/dashboard/incidents";
import { getDb } from "@/lib/db";
import { parseLimit } from "@/lib/evidence/cursor";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal, parseOpenIncident } from "@/lib/incidents/input";
import { openIncident } from "@/lib/incidents/open";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const q = new URL(req.url).searchParams;
  return json(await listIncidents(db, { status: q.get("status") }, q.get("cursor"), parseLimit(q.get("limit"))));
});

export const POST = handler(async (req) => {
  const db = await getDb();
  const who = await authorize(db, req, "incidents:write");
  requireJson(req);
  const input = parseOpenIncident(parseJson(await readBody(req, config().maxBodyBytes)));
  const { id } = await openIncident(db, actorOfPrincipal(who, req), input);
  return json({ id, url: `/api/v1/incidents/${id}` }, { status: 201, headers: { location: `/api/v1/incidents/${id}` } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
