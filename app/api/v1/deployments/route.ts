import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { parseInstant, parseLimit } from "@/lib/evidence/cursor";
import { listDeployments } from "@/lib/evidence/deployments";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const q = new URL(req.url).searchParams;
  return json(
    await listDeployments(db, {
      environment: q.get("environment") ?? undefined,
      service: q.get("service") ?? undefined,
      from: parseInstant("from", q.get("from")),
      to: parseInstant("to", q.get("to")),
      cursor: q.get("cursor") ?? undefined,
      limit: parseLimit(q.get("limit")),
    }),
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
