import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { sessions, users, type User } from "@/db/schema";
import { sha256Hex } from "../ledger/chain";

export const SESSION_COOKIE = "custody_session";
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface Session {
  id: number;
  user: User;
  csrfToken: string;
  expiresAt: Date;
}

/** A random 256-bit session id; only its SHA-256 is stored, so a database leak yields no usable cookie. */
export async function createSession(
  db: Queryable,
  userId: number,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date }> {
  const cookieValue = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_SECONDS * 1000);
  await db.insert(sessions).values({
    tokenHash: sha256Hex(cookieValue),
    userId,
    csrfToken,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    expiresAt,
  });
  return { cookieValue, csrfToken, expiresAt };
}

/** The live session for a cookie value: not expired, not revoked, its user not disabled. */
export async function resolveSession(db: Queryable, cookieValue: string | null | undefined): Promise<Session | null> {
  if (!cookieValue || cookieValue.length > 200) return null;
  const hash = sha256Hex(cookieValue);
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .limit(1);
  // An engagement auditor's access ends at once at its expiry, open sessions included.
  if (!row || row.user.disabledAt || accessEnded(row.user) || !timingSafeEqual(Buffer.from(row.session.tokenHash), Buffer.from(hash))) return null;
  return { id: row.session.id, user: row.user, csrfToken: row.session.csrfToken, expiresAt: row.session.expiresAt };
}

/** Whether an account limited in time (an engagement auditor's) has reached its end. */
export function accessEnded(user: Pick<User, "accessExpiresAt">, now = new Date()): boolean {
  return user.accessExpiresAt !== null && user.accessExpiresAt.getTime() <= now.getTime();
}

export async function revokeSession(db: Queryable, id: number): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** Secure everywhere but plain-http localhost, where browsers would drop a Secure cookie. */
export function isLocalHttp(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
}

/**
 * Where the cookie is Secure it is named with the `__Host-` prefix: browsers then keep it only
 * when Secure, with Path=/ and no Domain, so a sibling subdomain cannot plant one.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function sessionCookieName(requestUrl: string): string {
  return isLocalHttp(requestUrl) ? SESSION_COOKIE : SECURE_SESSION_COOKIE;
}

export function sessionCookie(value: string, requestUrl: string, maxAge = SESSION_TTL_SECONDS): string {
  const secure = isLocalHttp(requestUrl) ? "" : "; Secure";
  return `${sessionCookieName(requestUrl)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

/** The session cookie's value from a Cookie header, under the name sessionCookie gives it for this URL. */
export function readSessionCookie(cookieHeader: string | null, requestUrl: string): string | null {
  return readCookie(cookieHeader, sessionCookieName(requestUrl));
}

export function clearedSessionCookie(requestUrl: string): string {
  return sessionCookie("", requestUrl, 0);
}
