import { asc, desc, gt, lt } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { auditLog, type AuditEntry } from "@/db/schema";
import { csvRecords, guardCell } from "../csv";
import { AppError } from "../errors";

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** Newest first; the cursor is the sequence number below which the next page starts. */
export async function listAudit(db: Queryable, opts: { cursor?: string | null; limit?: number } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  let before: number | null = null;
  if (opts.cursor) {
    if (!/^\d{1,15}$/.test(opts.cursor)) throw new AppError("VALIDATION", "cursor: must be the nextCursor of a previous page");
    before = Number(opts.cursor);
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(before === null ? undefined : lt(auditLog.seq, before))
    .orderBy(desc(auditLog.seq))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  const last = entries[entries.length - 1];
  return { entries, nextCursor: rows.length > limit && last ? String(last.seq) : null };
}

export const auditCsvColumns = ["seq", "at", "actor", "actorType", "action", "target", "outcome", "ip", "details", "prevHash", "hash"] as const;

/** The whole log as CSV, oldest first, with the hashes so an auditor can recompute the chain. */
export async function* auditCsvChunks(db: Queryable, batchSize = 2000): AsyncGenerator<string> {
  yield csvRecords([[...auditCsvColumns]], "\n");
  let after = 0;
  for (;;) {
    const batch = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(batchSize);
    if (batch.length === 0) return;
    yield csvRecords(
      batch.map((e) => [String(e.seq), e.at.toISOString(), guardCell(e.actor), e.actorType, guardCell(e.action), guardCell(e.target ?? ""), e.outcome, guardCell(e.ip ?? ""), JSON.stringify(e.details), e.prevHash, e.hash]),
      "\n",
    );
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1]?.seq ?? after;
  }
}
