import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import type { User } from "@/db/schema";
import { config } from "../config";
import { getDb } from "../db";
import { clientAddress } from "../http/client-address";
import { roleCan, type Permission } from "./permissions";
import { recordRefusal } from "./refusals";
import { SECURE_SESSION_COOKIE, resolveSession, sessionCookieName, type Session } from "./sessions";

export const PASSWORD_PAGE = "/account/password";

/** The signed-in person for a server component or server action, or null. */
export async function currentSession(): Promise<Session | null> {
  // The name sessionCookie chose for this request's URL (proto and host as Next saw them).
  const h = await headers();
  let name = SECURE_SESSION_COOKIE;
  try {
    name = sessionCookieName(`${h.get("x-forwarded-proto") === "https" ? "https" : "http"}://${h.get("host") ?? "localhost"}/`);
  } catch {
    /* an unparseable Host: keep the Secure name */
  }
  const value = (await cookies()).get(name)?.value;
  return resolveSession(await getDb(), value);
}

/**
 * For pages and server actions: redirects to /sign-in without a session, answers 403 (and
 * writes the refusal to the audit log) without the permission. Machine tokens never pass:
 * pages only accept a person's session cookie.
 */
export async function requireUser(permission: Permission, next = "/"): Promise<User & { csrfToken: string }> {
  const session = await currentSession();
  if (!session) redirect(`/sign-in?next=${encodeURIComponent(next)}`);
  // After an admin's reset, nothing but the password change until the one-time password is replaced.
  if (session.user.mustChangePassword && next !== PASSWORD_PAGE) redirect(PASSWORD_PAGE);
  if (!roleCan(session.user.role, permission)) {
    const h = await headers();
    const db = await getDb();
    await recordRefusal(db, {
      actor: session.user.email,
      actorType: "user",
      action: "access.denied",
      target: `page ${next}`,
      outcome: "denied",
      ip: ipOf(h),
      details: { permission, status: 403 },
    });
    forbidden();
  }
  return { ...session.user, csrfToken: session.csrfToken };
}

function ipOf(h: Headers): string | null {
  return clientAddress(h, config().trustedProxies);
}

/** The audit actor for a server action: the signed-in person and where the request came from. */
export async function actorOf(user: User): Promise<{ actor: string; actorType: "user"; ip: string | null }> {
  return { actor: user.email, actorType: "user", ip: ipOf(await headers()) };
}
