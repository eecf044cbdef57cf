import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { readBody } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { receiveGitlabDelivery } from "@/lib/ingest/gitlab-webhook";

export const dynamic = "force-dynamic";

export const POST = handler(async (req) => {
  const h = req.headers;
  const db = await getDb();
  const result = await receiveGitlabDelivery(db, {
    token: h.get("x-gitlab-token"),
    event: h.get("x-gitlab-event"),
    instance: h.get("x-gitlab-instance"),
    deliveryId: h.get("idempotency-key") ?? h.get("webhook-id") ?? h.get("x-gitlab-event-uuid"),
    signature: { id: h.get("webhook-id"), timestamp: h.get("webhook-timestamp"), signature: h.get("webhook-signature") },
    contentType: h.get("content-type"),
    body: await readBody(req, config().maxBodyBytes),
  });
  return json(result, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
