import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { whileIngesting } from "@/lib/evaluation/queue";
import { readBody, requireJson, parseJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { senderOf } from "@/lib/ingest/events-api";
import { auditEnvironmentParam, ingestAuditEventList } from "@/lib/ingest/kubernetes-audit";

export const dynamic = "force-dynamic";

export const POST = handler(async (req) => {
  const db = await getDb();
  const who = await authorize(db, req, "ingest:write");
  const environment = auditEnvironmentParam(new URL(req.url).searchParams.get("environment"));
  requireJson(req);
  const result = await whileIngesting(db, async () => {
    const raw = await readBody(req, config().maxBodyBytes, { decompress: true });
    return ingestAuditEventList(db, parseJson(raw), environment, senderOf(who));
  });
  return json(result, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
