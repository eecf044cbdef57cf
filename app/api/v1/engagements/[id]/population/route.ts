import { getDb } from "@/lib/db";
import { frozenRows } from "@/lib/engagements/freeze";
import { auditExport, engagementRoute } from "@/lib/engagements/http";
import { csvText } from "@/lib/engagements/package";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { populationColumns } from "@/lib/reports/population";

export const dynamic = "force-dynamic";

/** The frozen population (as of the engagement's tree size), JSON or ?format=csv. */
export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:read");
  const rows = await frozenRows(db, engagement.id);
  if (new URL(req.url).searchParams.get("format") !== "csv") return json({ treeSize: engagement.treeSize, rootHash: engagement.rootHash, changes: rows });
  await auditExport(db, actor, engagement, "population.csv", { rows: rows.length });
  const body = csvText(populationColumns.map(([, h]) => h), rows.map((r) => populationColumns.map(([k]) => String(r[k] ?? ""))));
  return new Response(new Uint8Array(body), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="engagement-${engagement.id}-population.csv"`, "x-content-type-options": "nosniff", "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
