import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { engagementAuditors, sessions, users, type Engagement, type User } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { checkPasswordStrength, hashPassword } from "../auth/passwords";
import { createSession } from "../auth/sessions";
import { findUserByEmail, normaliseEmail, type Actor } from "../auth/users";
import { AppError, validation } from "../errors";
import { sha256Hex } from "../ledger/chain";
import { requireOpen } from "./access";

/** How long an invitation link stays usable. */
export const INVITATION_TTL_MS = 7 * 86_400_000;
export const invitationPath = (token: string) => `/invite/${token}`;

export interface Invitation {
  userId: number;
  email: string;
  /** Shown once to the person inviting; only its SHA-256 is stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Invites `email` to the engagement: an account of role engagement-auditor limited to it, expiring
 * at the engagement's end, with a one-time link. An e-mail already holding another kind of account
 * is a 409 (staff never become external auditors by accident), as is one auditing another engagement.
 * Inviting the same auditor again replaces the link.
 */
export async function inviteAuditor(db: Database, by: Actor, e: Engagement, input: { email: string; name?: string }, now = new Date()): Promise<Invitation> {
  requireOpen(e);
  const email = normaliseEmail(input.email ?? "");
  const name = (input.name ?? "").trim().slice(0, 200) || email;
  const token = randomBytes(32).toString("base64url");
  const invitationExpiresAt = new Date(Math.min(now.getTime() + INVITATION_TTL_MS, e.endsAt.getTime()));
  return db.transaction(async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (user && user.role !== "engagement-auditor") throw new AppError("CONFLICT", `${email} already holds a ${user.role} account; an engagement auditor needs an address of its own`);
    if (!user) [user] = await tx.insert(users).values({ email, name, role: "engagement-auditor", accessExpiresAt: e.endsAt }).returning();
    if (!user) throw new Error("user insert returned nothing");
    const [seat] = await tx.select().from(engagementAuditors).where(eq(engagementAuditors.userId, user.id)).limit(1);
    if (seat && seat.engagementId !== e.id) throw new AppError("CONFLICT", `${email} is the auditor of another engagement; an account is limited to one`);
    if (seat) {
      await tx.update(engagementAuditors).set({ invitationHash: sha256Hex(token), invitationExpiresAt, expiresAt: e.endsAt, endedAt: null }).where(eq(engagementAuditors.id, seat.id));
    } else {
      await tx.insert(engagementAuditors).values({ engagementId: e.id, userId: user.id, invitationHash: sha256Hex(token), invitationExpiresAt, expiresAt: e.endsAt, invitedBy: by.actor });
    }
    await tx.update(users).set({ accessExpiresAt: e.endsAt, disabledAt: null }).where(eq(users.id, user.id));
    await recordAudit(tx, { ...by, action: "engagement.auditor.invite", target: `engagement:${e.id}`, details: { email, invitationExpiresAt: invitationExpiresAt.toISOString(), accessEndsAt: e.endsAt.toISOString(), reissued: Boolean(seat) } });
    return { userId: user.id, email, token, expiresAt: invitationExpiresAt };
  });
}

async function seatOfToken(db: Queryable, token: string, now: Date) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const hash = sha256Hex(token);
  const [row] = await db
    .select({ seat: engagementAuditors, user: users })
    .from(engagementAuditors)
    .innerJoin(users, eq(users.id, engagementAuditors.userId))
    .where(eq(engagementAuditors.invitationHash, hash))
    .limit(1);
  if (!row?.seat.invitationHash || !timingSafeEqual(Buffer.from(row.seat.invitationHash), Buffer.from(hash))) return null;
  if (row.seat.endedAt || !row.seat.invitationExpiresAt || row.seat.invitationExpiresAt <= now || row.seat.expiresAt <= now) return null;
  return row;
}

/** The invitation behind a link, if it can still be used (for the page that accepts it). */
export async function openInvitation(db: Queryable, token: string, now = new Date()): Promise<{ email: string; engagementId: number } | null> {
  const row = await seatOfToken(db, token, now);
  return row ? { email: row.user.email, engagementId: row.seat.engagementId } : null;
}

/**
 * Accepts an invitation once: sets the auditor's password, spends the link, signs them in. A used,
 * expired or unknown link is the same 404.
 */
export async function acceptInvitation(db: Database, token: string, password: string, meta: { ip?: string | null; userAgent?: string | null } = {}, now = new Date()) {
  checkPasswordStrength(password);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const row = await seatOfToken(tx, token, now);
    if (!row) throw new AppError("NOT_FOUND", "this invitation link is unknown, used or expired; ask for a new one");
    // Spent in the same statement that checks it is still there: two tabs cannot both use it.
    const spent = await tx
      .update(engagementAuditors)
      .set({ invitationHash: null, invitationExpiresAt: null, acceptedAt: now })
      .where(and(eq(engagementAuditors.id, row.seat.id), eq(engagementAuditors.invitationHash, sha256Hex(token))))
      .returning({ id: engagementAuditors.id });
    if (spent.length === 0) throw new AppError("NOT_FOUND", "this invitation link is unknown, used or expired; ask for a new one");
    await tx.update(users).set({ passwordHash, mustChangePassword: false, failedSignIns: 0, lockedUntil: null }).where(eq(users.id, row.user.id));
    const session = await createSession(tx, row.user.id, meta);
    await recordAudit(tx, { actor: row.user.email, actorType: "user", action: "engagement.auditor.accept", target: `engagement:${row.seat.engagementId}`, ip: meta.ip ?? null, details: {} });
    return { ...session, engagementId: row.seat.engagementId, user: row.user };
  });
}

/** Ends an auditor's access now: the account and every open session are refused from this moment. */
export async function endAuditorAccess(db: Database, by: Actor, e: Engagement, userId: number, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const [seat] = await tx.select().from(engagementAuditors).where(and(eq(engagementAuditors.userId, userId), eq(engagementAuditors.engagementId, e.id))).limit(1);
    if (!seat) throw new AppError("NOT_FOUND", `auditor ${userId} of engagement ${e.id} not found`);
    await tx.update(engagementAuditors).set({ endedAt: now, invitationHash: null, invitationExpiresAt: null }).where(eq(engagementAuditors.id, seat.id));
    await tx.update(users).set({ accessExpiresAt: now }).where(eq(users.id, userId));
    await tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    await recordAudit(tx, { ...by, action: "engagement.auditor.end", target: `engagement:${e.id}`, details: { userId } });
  });
}

export interface AuditorSeat {
  userId: number;
  email: string;
  name: string;
  state: "invited" | "active" | "ended" | "expired";
  expiresAt: string;
  acceptedAt: string | null;
}

export async function auditorsOf(db: Queryable, engagementId: number, now = new Date()): Promise<AuditorSeat[]> {
  const rows = await db
    .select({ seat: engagementAuditors, user: users })
    .from(engagementAuditors)
    .innerJoin(users, eq(users.id, engagementAuditors.userId))
    .where(eq(engagementAuditors.engagementId, engagementId))
    .orderBy(engagementAuditors.id);
  return rows.map(({ seat, user }: { seat: typeof engagementAuditors.$inferSelect; user: User }) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    state: seat.endedAt ? "ended" : seat.expiresAt <= now ? "expired" : seat.acceptedAt ? "active" : "invited",
    expiresAt: (seat.endedAt ?? seat.expiresAt).toISOString(),
    acceptedAt: seat.acceptedAt?.toISOString() ?? null,
  }));
}

export function parseInvite(fields: Record<string, string>): { email: string; name?: string } {
  const email = (fields.email ?? "").trim();
  if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email)) throw validation("email: must be an e-mail address");
  return { email, name: fields.name };
}
