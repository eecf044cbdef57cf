import type { Database } from "@/db/client";
import { flushRefusalCounts } from "../auth/refusals";
import { clientMeta } from "../auth/sign-in";
import type { Principal } from "../auth/request";
import { auditCsvChunks } from "./query";
import { recordAudit } from "./record";

/** Streams the audit log as CSV; the export itself is recorded first, so it appears in what it exports. */
export async function exportAuditCsv(db: Database, principal: Principal, req: Request): Promise<Response> {
  await flushRefusalCounts(db);
  await db.transaction((tx) =>
    recordAudit(tx, {
      actor: principal.name,
      actorType: principal.kind,
      action: "audit.export",
      target: "audit_log",
      ip: clientMeta(req).ip,
      details: { format: "csv" },
    }),
  );
  const chunks = auditCsvChunks(db);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="custody-audit-log-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}
