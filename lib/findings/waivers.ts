import { and, desc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { findings, waivers, type Finding, type Waiver } from "@/db/schema";
import { AppError, notFound, validation } from "../errors";

/** The longest a waiver may run: an exception is time-boxed, then the finding counts again. */
export const MAX_WAIVER_DAYS = 180;

export interface WaiverView {
  id: number;
  justification: string;
  approver: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** True while now < expiresAt and it was not revoked: a waiver ends by itself. */
  active: boolean;
}

export interface WaiverInput {
  justification: string;
  approver: string;
  expiresAt: Date;
  /** Who asked for it (the session's user or the token's name). */
  createdBy: string;
}

export function waiverView(w: Waiver, now = new Date()): WaiverView {
  return {
    id: w.id,
    justification: w.justification,
    approver: w.approver,
    createdBy: w.createdBy,
    createdAt: w.createdAt.toISOString(),
    expiresAt: w.expiresAt.toISOString(),
    revokedAt: w.revokedAt ? w.revokedAt.toISOString() : null,
    active: w.revokedAt === null && now < w.expiresAt,
  };
}

async function findingById(db: Queryable, id: number): Promise<Finding> {
  const [f] = await db.select().from(findings).where(eq(findings.id, id));
  if (f === undefined) throw notFound(`finding ${id}`);
  return f;
}

/** Waives an open finding until `expiresAt` (in the future, at most MAX_WAIVER_DAYS away). */
export async function createWaiver(db: Queryable, findingId: number, input: WaiverInput, now = new Date()): Promise<WaiverView> {
  const f = await findingById(db, findingId);
  if (f.status !== "open") throw new AppError("CONFLICT", `finding ${findingId} is ${f.status}; only an open finding can be waived`);
  const justification = input.justification.trim();
  const approver = input.approver.trim();
  if (justification.length < 10) throw validation("justification: must say why, in at least 10 characters");
  if (approver === "") throw validation("approver: required");
  if (Number.isNaN(input.expiresAt.getTime()) || input.expiresAt <= now) throw validation("expiresAt: must be in the future");
  if (input.expiresAt.getTime() - now.getTime() > MAX_WAIVER_DAYS * 86_400_000) {
    throw validation(`expiresAt: a waiver may last at most ${MAX_WAIVER_DAYS} days`);
  }
  const [row] = await db
    .insert(waivers)
    .values({ ruleId: f.ruleId, subjectKey: f.subjectKey, justification, approver, createdBy: input.createdBy, expiresAt: input.expiresAt, createdAt: now })
    .returning();
  if (row === undefined) throw new Error("waiver insert returned no row");
  return waiverView(row, now);
}

/** Every waiver ever given to the finding's rule and subject, newest first. */
export async function listWaivers(db: Queryable, findingId: number, now = new Date()): Promise<WaiverView[]> {
  const f = await findingById(db, findingId);
  const rows = await db
    .select()
    .from(waivers)
    .where(and(eq(waivers.ruleId, f.ruleId), eq(waivers.subjectKey, f.subjectKey)))
    .orderBy(desc(waivers.createdAt), desc(waivers.id));
  return rows.map((w) => waiverView(w, now));
}

/** Ends a waiver now; revoking one that already ended is a 409. */
export async function revokeWaiver(db: Queryable, findingId: number, waiverId: number, now = new Date()): Promise<WaiverView> {
  const f = await findingById(db, findingId);
  const [w] = await db
    .select()
    .from(waivers)
    .where(and(eq(waivers.id, waiverId), eq(waivers.ruleId, f.ruleId), eq(waivers.subjectKey, f.subjectKey)));
  if (w === undefined) throw notFound(`waiver ${waiverId} of finding ${findingId}`);
  if (!waiverView(w, now).active) throw new AppError("CONFLICT", `waiver ${waiverId} has already ended`);
  const [row] = await db.update(waivers).set({ revokedAt: now }).where(eq(waivers.id, waiverId)).returning();
  if (row === undefined) throw notFound(`waiver ${waiverId} of finding ${findingId}`);
  return waiverView(row, now);
}

/** The active waiver of each finding (by finding id), if any; the latest-expiring one wins. */
export async function activeWaivers(db: Queryable, rows: readonly Pick<Finding, "id" | "ruleId" | "subjectKey">[], now = new Date()): Promise<Map<number, WaiverView>> {
  const out = new Map<number, WaiverView>();
  if (rows.length === 0) return out;
  const live = await db
    .select()
    .from(waivers)
    .where(and(inArray(waivers.subjectKey, [...new Set(rows.map((r) => r.subjectKey))]), isNull(waivers.revokedAt), gt(waivers.expiresAt, now)))
    .orderBy(waivers.expiresAt);
  for (const f of rows) {
    const w = live.filter((x) => x.ruleId === f.ruleId && x.subjectKey === f.subjectKey).at(-1);
    if (w) out.set(f.id, waiverView(w, now));
  }
  return out;
}
