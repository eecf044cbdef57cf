import type { Database } from "@/db/client";
import { recordAudit, type ActorType } from "../audit/record";

export interface ExportActor {
  name: string;
  kind: ActorType;
  ip?: string | null;
}

/**
 * The one place an export reaches the audit log: who, when (the entry's time), the parameters,
 * and the SHA-256 of what was delivered (for a package, of the zip and of its manifest).
 */
export async function recordExport(
  db: Database,
  who: ExportActor,
  entry: { action: "report.export" | "report.export.failed"; target: string; details: Record<string, unknown> },
): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(tx, {
      actor: who.name,
      actorType: who.kind,
      action: entry.action,
      target: entry.target,
      outcome: entry.action === "report.export.failed" ? "failure" : "success",
      ip: who.ip ?? null,
      details: entry.details,
    }),
  );
}
