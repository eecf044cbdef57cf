import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { environmentsOverview } from "@/lib/evidence/environments";
import { handler, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json({ environments: await environmentsOverview(db) });
});
