import { and, asc, desc, eq, gt, gte, like, lt, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { auditLog, type AuditEntry } from "@/db/schema";
import { csvRecords, guardCell } from "../csv";
import { AppError } from "../errors";
import { parseDay, storableInstant } from "../evidence/cursor";

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditFilter {
  cursor?: string | null;
  limit?: number;
  /** The actor, compared case-insensitively. */
  actor?: string | null;
  /** An action (`auth.sign-in`) or a family ending in a dot (`auth.`). */
  action?: string | null;
  /** Days, `YYYY-MM-DD` (UTC), `to` inclusive. */
  from?: string | null;
  to?: string | null;
}


/** Newest first; the cursor is the sequence number below which the next page starts. Filters narrow it; a bad one is a 400. */
export async function listAudit(db: Queryable, opts: AuditFilter = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const where: SQL[] = [];
  if (opts.cursor) {
    if (!/^\d{1,15}$/.test(opts.cursor)) throw new AppError("VALIDATION", "cursor: must be the nextCursor of a previous page");
    where.push(lt(auditLog.seq, Number(opts.cursor)));
  }
  if (opts.actor) where.push(sql`lower(${auditLog.actor}) = ${opts.actor.trim().toLowerCase()}`);
  if (opts.action) {
    const a = opts.action.trim();
    where.push(a.endsWith(".") ? like(auditLog.action, `${a.replace(/[%_\\]/g, "\\$&")}%`) : eq(auditLog.action, a));
  }
  const from = opts.from ? parseDay("from", opts.from) : null;
  const to = opts.to ? parseDay("to", opts.to) : null;
  if (from) where.push(gte(auditLog.at, from));
  const dayAfter = to ? new Date(to.getTime() + 86_400_000) : null;
  // The day after 9999-12-31 is past what is sent as a date: every entry is before it.
  if (dayAfter && storableInstant(dayAfter)) where.push(lt(auditLog.at, dayAfter));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length === 0 ? undefined : and(...where))
    .orderBy(desc(auditLog.seq))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  const last = entries[entries.length - 1];
  return { entries, nextCursor: rows.length > limit && last ? String(last.seq) : null };
}

/** The actions recorded so far, for the page's filter. */
export async function auditActions(db: Queryable): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.action));
  return rows.map((r) => r.action);
}

/** An IPv4 address as IPv4, not in its IPv6-mapped form (`::ffff:192.0.2.1`). */
export function displayIp(ip: string | null): string | null {
  return ip ? ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1") : null;
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
