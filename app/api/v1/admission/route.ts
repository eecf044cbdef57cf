import { answerAdmission } from "@/lib/admission/webhook";
import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { readBody } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/**
 * The Kubernetes validating admission webhook. After authentication every answer is a 200
 * AdmissionReview carrying the request's uid, even for a body it cannot read (the failure policy
 * then decides, with a message), so the API server never sees a 5xx from Custody.
 */
export const POST = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "admission:review");
  const raw = await readBody(req, config().maxBodyBytes);
  // no-transform: Next's compression (on for every response, whatever its size, since a route's
  // body is streamed and its length unknown to the threshold) skips it; an AdmissionReview
  // answer is under 1 KB and gzipping each cost ~0.5 ms of the server's CPU on the webhook's path.
  return json(await answerAdmission(db, raw), { headers: { "cache-control": "no-store, no-transform" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
