import { timingSafeEqual } from "node:crypto";
import { AppError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const CSRF_HEADER = "x-csrf-token";

/**
 * Cookie-authenticated state changes must come from this origin: the browser's Origin header
 * must match the request's host, or, when a client sends no Origin, the session's CSRF token
 * must be echoed in X-CSRF-Token. Returns the refusal, or null when the request may proceed.
 */
export function checkCsrf(req: Request, sessionCsrfToken: string | null): AppError | null {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    return sameOrigin(origin, req) ? null : new AppError("FORBIDDEN", "cross-site request refused (Origin does not match)");
  }
  const sent = req.headers.get(CSRF_HEADER);
  if (sessionCsrfToken && sent && sent.length === sessionCsrfToken.length && timingSafeEqual(Buffer.from(sent), Buffer.from(sessionCsrfToken))) return null;
  return new AppError("FORBIDDEN", "cross-site request refused (send the Origin header or X-CSRF-Token)");
}

function sameOrigin(origin: string, req: Request): boolean {
  try {
    const o = new URL(origin);
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
    return o.host === host;
  } catch {
    return false;
  }
}
