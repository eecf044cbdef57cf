import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { senderOf } from "@/lib/ingest/events-api";
import { receiveFluxEvent } from "@/lib/ingest/flux-webhook";

export const dynamic = "force-dynamic";

export const POST = handler(async (req) => {
  const db = await getDb();
  const who = await authorize(db, req, "ingest:write");
  requireJson(req);
  const body = await readBody(req, config().maxBodyBytes);
  const result = await receiveFluxEvent(db, body, new URL(req.url).searchParams.get("environment"), senderOf(who).principal);
  return json(result, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
