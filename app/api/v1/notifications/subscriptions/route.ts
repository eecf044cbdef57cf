import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";
import { createSubscription, deliveryLog, listSubscriptions } from "@/lib/notifications/targets";

export const dynamic = "force-dynamic";

/** Outgoing notification targets and their delivery log (admins). */
export const GET = handler(async (req: Request) => {
  const db = await getDb();
  await authorize(db, req, "settings:manage");
  return json({ subscriptions: await listSubscriptions(db), deliveries: await deliveryLog(db) });
});

/** A new target; a webhook target's signing secret is in this answer only. */
export const POST = handler(async (req: Request) => {
  const db = await getDb();
  const who = await authorize(db, req, "settings:manage");
  requireJson(req);
  const body = parseJson(await readBody(req, config().maxBodyBytes));
  const result = await createSubscription(db, body, actorOfPrincipal(who, req));
  return json(result, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
