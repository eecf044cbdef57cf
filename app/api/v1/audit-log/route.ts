import { listAudit } from "@/lib/audit/query";
import { flushRefusalCounts } from "@/lib/auth/refusals";
import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Who did what, when, from where: newest first, `?cursor=` from the previous page's nextCursor; `?actor=&action=&from=&to=` narrow it. */
export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "audit:read");
  await flushRefusalCounts(db);
  const url = new URL(req.url);
  const q = url.searchParams;
  const page = await listAudit(db, {
    cursor: q.get("cursor"),
    limit: Number(q.get("limit") ?? 50) || 50,
    actor: q.get("actor"),
    action: q.get("action"),
    from: q.get("from"),
    to: q.get("to"),
  });
  return json(page);
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
