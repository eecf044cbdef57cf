import { checkCsrf } from "@/lib/auth/csrf";
import { seeOther } from "@/lib/auth/forms";
import { clearedSessionCookie, readSessionCookie, resolveSession } from "@/lib/auth/sessions";
import { clientMeta, signOut } from "@/lib/auth/sign-in";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Revokes the session server-side (a replayed cookie is then refused) and clears the cookie. */
export const POST = handler(async (req) => {
  const db = await getDb();
  const session = await resolveSession(db, readSessionCookie(req.headers.get("cookie"), req.url));
  if (session) {
    const refused = checkCsrf(req, session.csrfToken);
    if (refused) throw refused;
    await signOut(db, session, clientMeta(req));
  }
  const cookie = clearedSessionCookie(req.url);
  const isForm = (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (isForm) return seeOther("/sign-in", req, { "set-cookie": cookie });
  return json({ signedOut: true }, { headers: { "set-cookie": cookie } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
