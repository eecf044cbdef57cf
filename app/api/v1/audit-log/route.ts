import { listAudit } from "@/lib/audit/query";
import { flushRefusalCounts } from "@/lib/auth/refusals";
import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Who did what, when, from where: newest first, `?cursor=` from the previous page's nextCursor. */
export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "audit:read");
  await flushRefusalCounts(db);
  const url = new URL(req.url);
  const page = await listAudit(db, { cursor: url.searchParams.get("cursor"), limit: Number(url.searchParams.get("limit") ?? 50) || 50 });
  return json(page);
});
