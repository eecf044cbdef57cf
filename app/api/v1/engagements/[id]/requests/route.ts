import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { auditExport, engagementRoute } from "@/lib/engagements/http";
import { parseRequest } from "@/lib/engagements/input";
import { requestsCsv } from "@/lib/engagements/package";
import { raiseRequest, requestThreads } from "@/lib/engagements/requests";
import { engagementSummary, summaryJson } from "@/lib/engagements/summary";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The request list, JSON or ?format=csv. */
export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:read");
  const summary = await engagementSummary(db, engagement);
  if (new URL(req.url).searchParams.get("format") !== "csv") return json({ requests: summaryJson(summary).requests });
  await auditExport(db, actor, engagement, "requests.csv", { rows: summary.requests.length });
  return new Response(new Uint8Array(requestsCsv(summary)), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="engagement-${engagement.id}-requests.csv"`, "x-content-type-options": "nosniff", "cache-control": "no-store" } });
});

/** The auditor raises a request: { title, body?, changeId? } (changeId: one change of the sample in force). */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:audit");
  const r = await raiseRequest(db, actor, engagement, parseRequest((await readFields(req)).fields));
  const [thread] = (await requestThreads(db, engagement.id)).filter((t) => t.id === r.id);
  return json(thread, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
