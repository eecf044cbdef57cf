import type { Database } from "@/db/client";
import type { ApiToken } from "@/db/schema";
import { AppError } from "../errors";
import { checkCsrf } from "./csrf";
import { recordRefusal } from "./refusals";
import { roleCan, scopesCan, type Permission } from "./permissions";
import { readSessionCookie, resolveSession, type Session } from "./sessions";
import { clientMeta } from "./sign-in";
import { authenticateToken, type TokenScope } from "./tokens";

export type Principal =
  | { kind: "user"; name: string; session: Session }
  | { kind: "token"; name: string; token: ApiToken };

/**
 * Authenticates a request by bearer token or session cookie and checks one permission from the
 * matrix: 401 without valid credentials, 403 without the permission or for a cross-site
 * state-changing request. Refusals of presented credentials go to the audit log.
 */
export async function authorize(db: Database, req: Request, permission: Permission): Promise<Principal> {
  const authorization = req.headers.get("authorization");
  const cookie = readSessionCookie(req.headers.get("cookie"), req.url);
  const path = new URL(req.url).pathname;
  const deny = async (error: AppError, actor: string, actorType: "user" | "token" | "anonymous"): Promise<never> => {
    await recordRefusal(db, { actor, actorType, action: "access.denied", target: `${req.method} ${path}`, outcome: "denied", ip: clientMeta(req).ip, details: { permission, status: error.status, reason: error.message } });
    throw error;
  };

  if (authorization) {
    let token: ApiToken;
    try {
      // The ingest scope is checked here only as a floor; the matrix below decides.
      token = await authenticateToken(db, authorization, scopeFor(permission));
    } catch (error) {
      if (error instanceof AppError) return deny(error, "(token)", "token");
      throw error;
    }
    if (!scopesCan(token.scopes, permission)) return deny(new AppError("FORBIDDEN", `this token may not ${permission}`), `token:${token.name}`, "token");
    return { kind: "token", name: token.name, token };
  }
  if (cookie) {
    const session = await resolveSession(db, cookie);
    if (!session) return deny(new AppError("UNAUTHENTICATED", "session expired or signed out; sign in again"), "(session)", "anonymous");
    const who = session.user.email;
    if (session.user.mustChangePassword) return deny(new AppError("FORBIDDEN", "change the one-time password first (/account/password)"), who, "user");
    if (!roleCan(session.user.role, permission)) return deny(new AppError("FORBIDDEN", `your role (${session.user.role}) may not ${permission}`), who, "user");
    const csrf = checkCsrf(req, session.csrfToken);
    if (csrf) return deny(csrf, who, "user");
    return { kind: "user", name: who, session };
  }
  throw new AppError("UNAUTHENTICATED", "sign in, or send Authorization: Bearer <token>");
}

/** The scope a token needs at least: any scope that grants the permission (the matrix decides). */
function scopeFor(permission: Permission): TokenScope | TokenScope[] {
  if (permission === "admission:review") return ["admission", "ingest"];
  return permission === "ingest:write" ? "ingest" : "read";
}

/** Kept for routes written before `authorize`: evidence reads. */
export function authenticateRead(db: Database, req: Request): Promise<Principal> {
  return authorize(db, req, "evidence:read");
}
