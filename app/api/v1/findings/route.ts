import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { parseLimit } from "@/lib/evidence/cursor";
import { listFindings } from "@/lib/findings/queries";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const q = new URL(req.url).searchParams;
  return json(
    await listFindings(db, {
      status: q.get("status") ?? undefined,
      rule: q.get("rule") ?? undefined,
      environment: q.get("environment") ?? undefined,
      service: q.get("service") ?? undefined,
      from: q.get("from") ?? undefined,
      to: q.get("to") ?? undefined,
      cursor: q.get("cursor") ?? undefined,
      limit: parseLimit(q.get("limit")),
    }),
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
