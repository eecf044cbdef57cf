import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database, Transaction } from "@/db/client";
import { sessions, users, type User } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { AppError, notFound } from "../errors";
import { checkPasswordStrength, generatePassword, hashPassword, verifyPassword } from "./passwords";
import { parseRole, type Actor, type PublicUser } from "./users";

/**
 * An admin's changes to people: each one locks the user row, checks the last-admin rule, writes
 * its audit entry in the same transaction, and ends the person's sessions where the change
 * takes away access (disable, role change, password reset).
 */

function publicUser(u: User): PublicUser {
  const { passwordHash: _omitted, ...rest } = u;
  return rest;
}

async function lockUser(tx: Transaction, id: number): Promise<User> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for("update").limit(1);
  if (!row) throw notFound(`user ${id}`);
  return row;
}

/** Other enabled admins, counted under a lock on the admins so two admins cannot demote each other at once. */
async function otherActiveAdmins(tx: Transaction, id: number): Promise<number> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, id)))
    .for("update");
  return rows.length;
}

async function endSessions(tx: Transaction, userId: number): Promise<number> {
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > now()`))
    .returning({ id: sessions.id });
  return rows.length;
}

const parseId = (id: number | string): number => {
  const n = typeof id === "number" ? id : /^\d{1,15}$/.test(id) ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw notFound(`user ${String(id)}`);
  return n;
};

/** Disables a person: their open sessions end at once (resolveSession also refuses a disabled user). 409 for the last admin. */
export async function disableUser(db: Database, by: Actor, id: number | string): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, parseId(id));
    if (user.disabledAt) return publicUser(user);
    if (user.role === "admin" && (await otherActiveAdmins(tx, user.id)) === 0) {
      throw new AppError("CONFLICT", `${user.email} is the last enabled admin; make someone else admin first`);
    }
    const [row] = await tx.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id)).returning();
    const ended = await endSessions(tx, user.id);
    await recordAudit(tx, { ...by, action: "user.disable", target: `user:${user.email}`, details: { sessionsEnded: ended } });
    return publicUser(row ?? user);
  });
}

export async function enableUser(db: Database, by: Actor, id: number | string): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, parseId(id));
    if (!user.disabledAt) return publicUser(user);
    const [row] = await tx.update(users).set({ disabledAt: null, failedSignIns: 0, lockedUntil: null }).where(eq(users.id, user.id)).returning();
    await recordAudit(tx, { ...by, action: "user.enable", target: `user:${user.email}` });
    return publicUser(row ?? user);
  });
}

/** Changes a role (400 for an unknown one, 409 when it would leave no enabled admin); the person's sessions end so the new role applies at once. */
export async function changeRole(db: Database, by: Actor, id: number | string, role: string): Promise<PublicUser> {
  const next = parseRole(role);
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, parseId(id));
    if (user.role === next) return publicUser(user);
    if (user.role === "admin" && !user.disabledAt && (await otherActiveAdmins(tx, user.id)) === 0) {
      throw new AppError("CONFLICT", `${user.email} is the last enabled admin; make someone else admin first`);
    }
    const [row] = await tx.update(users).set({ role: next }).where(eq(users.id, user.id)).returning();
    const ended = await endSessions(tx, user.id);
    await recordAudit(tx, { ...by, action: "user.role-change", target: `user:${user.email}`, details: { from: user.role, to: next, sessionsEnded: ended } });
    return publicUser(row ?? user);
  });
}

/** Ends every open session of a person (signed out everywhere). */
export async function revokeAllSessions(db: Database, by: Actor, id: number | string): Promise<{ ended: number }> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, parseId(id));
    const ended = await endSessions(tx, user.id);
    await recordAudit(tx, { ...by, action: "user.sessions-revoke", target: `user:${user.email}`, details: { sessionsEnded: ended } });
    return { ended };
  });
}

/**
 * An admin's password reset: a new one-time password, returned once and stored hashed, that must
 * be changed at the next sign-in; the person's sessions end. Not for organisation (OIDC) accounts.
 */
export async function resetPassword(db: Database, by: Actor, id: number | string): Promise<{ user: PublicUser; oneTimePassword: string }> {
  const oneTimePassword = generatePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, parseId(id));
    if (user.oidcSubject && !user.passwordHash) throw new AppError("CONFLICT", `${user.email} signs in with the organisation's account; reset it there`);
    const [row] = await tx
      .update(users)
      .set({ passwordHash, mustChangePassword: true, failedSignIns: 0, lockedUntil: null })
      .where(eq(users.id, user.id))
      .returning();
    const ended = await endSessions(tx, user.id);
    await recordAudit(tx, { ...by, action: "user.password-reset", target: `user:${user.email}`, details: { sessionsEnded: ended } });
    return { user: publicUser(row ?? user), oneTimePassword };
  });
}

/** The person's own password change (required after a reset): the current password, then a new, different one. */
export async function changeOwnPassword(db: Database, by: Actor, userId: number, current: string, next: string): Promise<void> {
  checkPasswordStrength(next);
  if (current === next) throw new AppError("VALIDATION", "password: the new password must differ from the current one");
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw notFound("user");
  if (!(await verifyPassword(user.passwordHash, current))) throw new AppError("VALIDATION", "currentPassword: does not match");
  const passwordHash = await hashPassword(next);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, userId));
    await recordAudit(tx, { ...by, action: "user.password-change", target: `user:${user.email}` });
  });
}
