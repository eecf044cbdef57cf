import { exportAuditCsv } from "@/lib/audit/export";
import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The whole audit log as CSV, oldest first, with the chain hashes. */
export const GET = handler(async (req) => {
  const db = await getDb();
  const principal = await authorize(db, req, "audit:read");
  return exportAuditCsv(db, principal, req);
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
