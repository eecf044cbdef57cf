import { getDb } from "@/lib/db";
import { auditExport, engagementRoute } from "@/lib/engagements/http";
import { engagementPackage } from "@/lib/engagements/package";
import { renderEngagementPdf } from "@/lib/engagements/pdf";
import { engagementSummary } from "@/lib/engagements/summary";
import { AppError, validation } from "@/lib/errors";
import { handler, otherMethods } from "@/lib/http/respond";
import { instanceSigningKey } from "@/lib/signing/keys";

export const dynamic = "force-dynamic";

const download = (body: Buffer, type: string, name: string) =>
  new Response(new Uint8Array(body), { headers: { "content-type": type, "content-disposition": `attachment; filename="${name}"`, "x-content-type-options": "nosniff", "cache-control": "no-store" } });

/** The summary as ?format=pdf, or the signed evidence package as ?format=zip (verify it with `custody verify-package`). */
export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:read");
  const format = new URL(req.url).searchParams.get("format") ?? "pdf";
  if (format !== "pdf" && format !== "zip") throw validation("format: must be pdf or zip");
  const summary = await engagementSummary(db, engagement);
  const base = `engagement-${engagement.id}-${engagement.state === "closed" ? "signed-off" : "in-progress"}`;
  if (format === "pdf") {
    const pdf = await renderEngagementPdf(summary);
    await auditExport(db, actor, engagement, "summary.pdf", { bytes: pdf.length });
    return download(pdf, "application/pdf", `${base}.pdf`);
  }
  const key = instanceSigningKey();
  if (!key) throw new AppError("UNAVAILABLE", "no signing key is configured (CUSTODY_SIGNING_KEY); the package cannot be signed");
  const { data, manifest } = await engagementPackage(db, summary, key);
  await auditExport(db, actor, engagement, "package.zip", { bytes: data.length, checkpointTreeSize: manifest.checkpoint?.treeSize ?? null, files: manifest.files.length });
  return download(data, "application/zip", `${base}.zip`);
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
