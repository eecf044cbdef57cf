import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { parseInstant } from "@/lib/evidence/cursor";
import { promotionView } from "@/lib/evidence/promotion";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json(await promotionView(db, parseInstant("at", new URL(req.url).searchParams.get("at"))));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
