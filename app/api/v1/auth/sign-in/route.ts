import { checkCsrf } from "@/lib/auth/csrf";
import { readFields, safeNext, seeOther } from "@/lib/auth/forms";
import { sessionCookie } from "@/lib/auth/sessions";
import { clientMeta, signInWithPassword } from "@/lib/auth/sign-in";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Email and password sign-in: JSON answers JSON; the sign-in page's form is redirected back. */
export const POST = handler(async (req) => {
  const { fields, isForm } = await readFields(req);
  const next = safeNext(fields.next);
  try {
    // Login CSRF: a cross-site form must not sign the browser into someone else's account.
    if (req.headers.get("origin")) {
      const refused = checkCsrf(req, null);
      if (refused) throw refused;
    }
    const session = await signInWithPassword(await getDb(), { email: fields.email ?? "", password: fields.password ?? "" }, clientMeta(req));
    const cookie = sessionCookie(session.cookieValue, req.url);
    if (isForm) return seeOther(next, req, { "set-cookie": cookie });
    return json({ signedIn: true, expiresAt: session.expiresAt.toISOString(), csrfToken: session.csrfToken }, { headers: { "set-cookie": cookie } });
  } catch (error) {
    if (!isForm || !(error instanceof AppError)) throw error;
    const reason = error.code === "RATE_LIMITED" ? "locked" : error.code === "FORBIDDEN" ? "forbidden" : "invalid";
    return seeOther(`/sign-in?error=${reason}&next=${encodeURIComponent(next)}`, req);
  }
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
