import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { parseLimit } from "@/lib/evidence/cursor";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { checkpointPage } from "@/lib/ledger/proof-api";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const q = new URL(req.url).searchParams;
  return json(await checkpointPage(db, q, parseLimit(q.get("limit"), 100, 1000)));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
