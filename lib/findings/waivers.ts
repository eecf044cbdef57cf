import { and, desc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database, Queryable, Transaction } from "@/db/client";
import { findings, waiverRequests, waivers, type Finding, type Waiver, type WaiverRequest } from "@/db/schema";
import { recordAudit, type ActorType } from "../audit/record";
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

/** Who acts on a waiver: a signed-in person (`user`) or a token; only a person may approve or extend. */
export interface WaiverActor {
  actor: string;
  actorType: ActorType;
  ip?: string | null;
}

export interface WaiverRequestInput {
  justification: string;
  expiresAt: Date;
}

export interface WaiverRequestView {
  id: number;
  justification: string;
  expiresAt: string;
  requestedBy: string;
  status: string;
  decidedBy: string | null;
  decidedAt: string | null;
  waiverId: number | null;
  createdAt: string;
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

export function waiverRequestView(r: WaiverRequest): WaiverRequestView {
  return {
    id: r.id,
    justification: r.justification,
    expiresAt: r.expiresAt.toISOString(),
    requestedBy: r.requestedBy,
    status: r.status,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    waiverId: r.waiverId,
    createdAt: r.createdAt.toISOString(),
  };
}

async function findingById(db: Queryable, id: number): Promise<Finding> {
  const [f] = await db.select().from(findings).where(eq(findings.id, id));
  if (f === undefined) throw notFound(`finding ${id}`);
  return f;
}

function checkExpiry(expiresAt: Date, now: Date): void {
  if (Number.isNaN(expiresAt.getTime()) || expiresAt <= now) throw validation("expiresAt: must be in the future");
  if (expiresAt.getTime() - now.getTime() > MAX_WAIVER_DAYS * 86_400_000) {
    throw validation(`expiresAt: a waiver may last at most ${MAX_WAIVER_DAYS} days`);
  }
}

/** Approving and extending are a second person's decision, made signed in. */
function requireSecondPerson(by: WaiverActor, requestedBy: string, what: string): void {
  if (by.actorType !== "user") throw new AppError("FORBIDDEN", `${what}: a waiver is approved by a signed-in person, not by ${by.actorType === "token" ? "an API token" : by.actorType}`);
  if (by.actor.trim().toLowerCase() === requestedBy.trim().toLowerCase()) {
    throw new AppError("FORBIDDEN", `${what}: ${by.actor} requested this waiver and cannot also approve it (two people)`);
  }
}

/** Asks for a waiver of an open finding until `expiresAt`; nothing is waived until someone else approves it. */
export async function requestWaiver(db: Database, findingId: number, by: WaiverActor, input: WaiverRequestInput, now = new Date()): Promise<WaiverRequestView> {
  const f = await findingById(db, findingId);
  if (f.status !== "open") throw new AppError("CONFLICT", `finding ${findingId} is ${f.status}; only an open finding can be waived`);
  const justification = input.justification.trim();
  if (justification.length < 10) throw validation("justification: must say why, in at least 10 characters");
  checkExpiry(input.expiresAt, now);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(waiverRequests)
      .values({ ruleId: f.ruleId, subjectKey: f.subjectKey, justification, expiresAt: input.expiresAt, requestedBy: by.actor, createdAt: now })
      .returning();
    if (row === undefined) throw new Error("waiver request insert returned no row");
    await recordAudit(tx, { ...by, action: "waiver.request", target: `finding:${findingId}`, details: { requestId: row.id, ruleId: f.ruleId, subjectKey: f.subjectKey, expiresAt: input.expiresAt.toISOString(), justification } });
    return waiverRequestView(row);
  });
}

/** A second, signed-in person approves a request: the waiver is created in their name. */
export async function approveWaiverRequest(db: Database, findingId: number, requestId: number, by: WaiverActor, now = new Date()): Promise<WaiverView> {
  const f = await findingById(db, findingId);
  return db.transaction(async (tx) => {
    const [r] = await tx
      .select()
      .from(waiverRequests)
      .where(and(eq(waiverRequests.id, requestId), eq(waiverRequests.ruleId, f.ruleId), eq(waiverRequests.subjectKey, f.subjectKey)))
      .for("update");
    if (r === undefined) throw notFound(`waiver request ${requestId} of finding ${findingId}`);
    if (r.status !== "requested") throw new AppError("CONFLICT", `waiver request ${requestId} is already ${r.status}`);
    requireSecondPerson(by, r.requestedBy, "approve");
    if (r.expiresAt <= now) throw new AppError("CONFLICT", `waiver request ${requestId} asked for an end date that has passed; request again`);
    const [w] = await tx
      .insert(waivers)
      .values({ ruleId: r.ruleId, subjectKey: r.subjectKey, justification: r.justification, approver: by.actor, createdBy: r.requestedBy, expiresAt: r.expiresAt, createdAt: now })
      .returning();
    if (w === undefined) throw new Error("waiver insert returned no row");
    await tx.update(waiverRequests).set({ status: "approved", decidedBy: by.actor, decidedAt: now, waiverId: w.id }).where(eq(waiverRequests.id, r.id));
    await recordAudit(tx, { ...by, action: "waiver.approve", target: `finding:${findingId}`, details: { requestId: r.id, waiverId: w.id, requestedBy: r.requestedBy, expiresAt: r.expiresAt.toISOString() } });
    return waiverView(w, now);
  });
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

/** The waiver requests of the finding's rule and subject, newest first. */
export async function listWaiverRequests(db: Queryable, findingId: number): Promise<WaiverRequestView[]> {
  const f = await findingById(db, findingId);
  const rows = await db
    .select()
    .from(waiverRequests)
    .where(and(eq(waiverRequests.ruleId, f.ruleId), eq(waiverRequests.subjectKey, f.subjectKey)))
    .orderBy(desc(waiverRequests.createdAt), desc(waiverRequests.id));
  return rows.map(waiverRequestView);
}

async function lockWaiver(tx: Transaction, f: Finding, findingId: number, waiverId: number): Promise<Waiver> {
  const [w] = await tx
    .select()
    .from(waivers)
    .where(and(eq(waivers.id, waiverId), eq(waivers.ruleId, f.ruleId), eq(waivers.subjectKey, f.subjectKey)))
    .for("update");
  if (w === undefined) throw notFound(`waiver ${waiverId} of finding ${findingId}`);
  return w;
}

/** Moves an active waiver's end (at most MAX_WAIVER_DAYS from now), by a signed-in person other than its requester. */
export async function extendWaiver(db: Database, findingId: number, waiverId: number, by: WaiverActor, expiresAt: Date, now = new Date()): Promise<WaiverView> {
  const f = await findingById(db, findingId);
  checkExpiry(expiresAt, now);
  return db.transaction(async (tx) => {
    const w = await lockWaiver(tx, f, findingId, waiverId);
    if (!waiverView(w, now).active) throw new AppError("CONFLICT", `waiver ${waiverId} has already ended; request a new one`);
    requireSecondPerson(by, w.createdBy, "extend");
    if (expiresAt <= w.expiresAt) throw validation(`expiresAt: must be after the current end, ${w.expiresAt.toISOString()}`);
    const [row] = await tx.update(waivers).set({ expiresAt, approver: by.actor }).where(eq(waivers.id, waiverId)).returning();
    await recordAudit(tx, { ...by, action: "waiver.extend", target: `finding:${findingId}`, details: { waiverId, from: w.expiresAt.toISOString(), to: expiresAt.toISOString() } });
    return waiverView(row ?? w, now);
  });
}

/** Ends a waiver now (anyone who may waive); revoking one that already ended is a 409. */
export async function revokeWaiver(db: Database, findingId: number, waiverId: number, by: WaiverActor, now = new Date()): Promise<WaiverView> {
  const f = await findingById(db, findingId);
  return db.transaction(async (tx) => {
    const w = await lockWaiver(tx, f, findingId, waiverId);
    if (!waiverView(w, now).active) throw new AppError("CONFLICT", `waiver ${waiverId} has already ended`);
    const [row] = await tx.update(waivers).set({ revokedAt: now }).where(eq(waivers.id, waiverId)).returning();
    await recordAudit(tx, { ...by, action: "waiver.revoke", target: `finding:${findingId}`, details: { waiverId } });
    return waiverView(row ?? w, now);
  });
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
