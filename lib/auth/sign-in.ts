import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { config, signInLimitPerIp } from "../config";
import { AppError } from "../errors";
import { clientAddress } from "../http/client-address";
import { verifyPassword } from "./passwords";
import { clearFailures, countFailure, lockedFor, LOCKOUT } from "./lockout";
import { hitRateLimit } from "./rate-limit";
import { accessEnded, createSession, revokeSession, type Session } from "./sessions";
import { findUserByEmail } from "./users";

export const LOCKOUT_AFTER_FAILURES = LOCKOUT.failures;
export const LOCKOUT_SECONDS = LOCKOUT.seconds;
/** Sign-in attempts per client IP in ten minutes: 20 unless CUSTODY_SIGN_IN_LIMIT_PER_IP says otherwise (a proxy that hides client IPs, a test run). */
export const IP_LIMIT = { attempts: 20, windowSeconds: 10 * 60 } as const;

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

const invalid = () => new AppError("UNAUTHENTICATED", "wrong email or password");

/**
 * Email and password sign-in: a per-IP limit counted in Postgres, a per-account lockout after
 * repeated failures, argon2id verification, and an audit entry for every outcome. The password
 * never reaches the audit log or an error.
 */
export async function signInWithPassword(
  db: Database,
  input: { email: string; password: string },
  meta: ClientMeta,
): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date; userId: number }> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const fail = async (reason: string) => {
    await db.transaction((tx) => recordAudit(tx, { actor: email || "(none)", actorType: "anonymous", action: "auth.sign-in", target: `user:${email}`, outcome: "failure", ip: meta.ip, details: { method: "password", reason } }));
  };
  try {
    await hitRateLimit(db, `sign-in:ip:${meta.ip ?? "unknown"}`, signInLimitPerIp(), IP_LIMIT.windowSeconds);
  } catch (error) {
    await fail("rate limited");
    throw error;
  }
  const user = email ? await findUserByEmail(db, email) : undefined;
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  // The lockout counts per address typed, account or not, and answers alike: no enumeration.
  const wait = await lockedFor(db, email);
  if (wait > 0) {
    await fail(user ? "account locked" : "unknown email, locked");
    throw new AppError("RATE_LIMITED", `too many failed sign-ins; try again in ${wait} seconds`, { retryAfter: wait });
  }
  if (!user || user.disabledAt || accessEnded(user) || !ok) {
    await db.transaction(async (tx) => {
      const locked = await countFailure(tx, email);
      // Mirrored on the account for the users page; the decision is lib/auth/lockout.ts's.
      if (user) {
        await tx
          .update(users)
          .set({ failedSignIns: sql`${users.failedSignIns} + 1`, lockedUntil: locked ? sql`now() + make_interval(secs => ${LOCKOUT.seconds})` : users.lockedUntil })
          .where(eq(users.id, user.id));
      }
      const reason = !user ? "unknown email" : user.disabledAt ? "account disabled" : accessEnded(user) ? "engagement access ended" : "wrong password";
      await recordAudit(tx, { actor: email || "(none)", actorType: "anonymous", action: "auth.sign-in", target: `user:${email}`, outcome: "failure", ip: meta.ip, details: { method: "password", reason, ...(locked ? { locked: true } : {}) } });
    });
    throw invalid();
  }
  return db.transaction(async (tx) => {
    await tx.update(users).set({ failedSignIns: 0, lockedUntil: null }).where(eq(users.id, user.id));
    await clearFailures(tx, email);
    const session = await createSession(tx, user.id, meta);
    await recordAudit(tx, { actor: user.email, actorType: "user", action: "auth.sign-in", target: `user:${user.email}`, ip: meta.ip, details: { method: "password" } });
    return { ...session, userId: user.id };
  });
}

export async function signOut(db: Database, session: Session, meta: ClientMeta): Promise<void> {
  await db.transaction(async (tx) => {
    await revokeSession(tx, session.id);
    await recordAudit(tx, { actor: session.user.email, actorType: "user", action: "auth.sign-out", target: `user:${session.user.email}`, ip: meta.ip });
  });
}

/** The client's address (socket, or as the trusted proxies saw it: lib/http/client-address.ts) and user agent. */
export function clientMeta(req: Request): ClientMeta {
  return { ip: clientAddress(req.headers, config().trustedProxies), userAgent: req.headers.get("user-agent")?.slice(0, 300) ?? null };
}
