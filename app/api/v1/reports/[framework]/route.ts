import { authorize } from "@/lib/auth/request";
import { clientMeta } from "@/lib/auth/sign-in";
import { getDb } from "@/lib/db";
import { handler, otherMethods } from "@/lib/http/respond";
import { exportReport } from "@/lib/reports/export";
import { exportResponse } from "@/lib/reports/http";
import { parseFramework, parseReportParams } from "@/lib/reports/params";

export const dynamic = "force-dynamic";

export const GET = handler<{ params: Promise<{ framework: string }> }>(async (req, ctx) => {
  const { framework } = await ctx.params;
  const db = await getDb();
  const principal = await authorize(db, req, "reports:export");
  parseFramework(framework);
  const query = Object.fromEntries(new URL(req.url).searchParams);
  const params = parseReportParams(framework, query);
  const out = await exportReport(db, params, { name: principal.name, kind: principal.kind, ip: clientMeta(req).ip });
  return exportResponse(out);
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
