import { answerAdmission } from "@/lib/admission/webhook";
import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { readBody } from "@/lib/http/body";
import { handler, json } from "@/lib/http/respond";

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
  return json(await answerAdmission(db, raw));
});
