import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { handler, otherMethods } from "@/lib/http/respond";
import { renderMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

/** Prometheus exposition; a `read` token unless CUSTODY_METRICS_PUBLIC=true. */
export const GET = handler(async (req) => {
  const db = await getDb();
  if (!config().metricsPublic) await authorize(db, req, "evidence:read");
  const { contentType, body } = await renderMetrics(db);
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
