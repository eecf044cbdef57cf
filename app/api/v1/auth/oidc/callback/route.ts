import { safeNext, seeOther } from "@/lib/auth/forms";
import { OIDC_FLOW_COOKIE, finishOidc, flowCookie } from "@/lib/auth/oidc";
import { isLocalHttp, readCookie, sessionCookie } from "@/lib/auth/sessions";
import { clientMeta } from "@/lib/auth/sign-in";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { handler, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The provider's redirect back: finishes the code flow, opens a session, returns the person to where they were going. */
export const GET = handler(async (req) => {
  const c = config();
  if (!c.oidc) throw new AppError("NOT_FOUND", "OpenID Connect sign-in is not configured");
  const current = new URL(req.url);
  // Behind a proxy the request URL is internal; the provider checks the public redirect URI.
  const callbackUrl = c.publicUrl ? new URL(`${current.pathname}${current.search}`, c.publicUrl) : current;
  const clear = flowCookie("", !isLocalHttp(req.url), 0);
  try {
    const done = await finishOidc(await getDb(), c.oidc, callbackUrl, readCookie(req.headers.get("cookie"), OIDC_FLOW_COOKIE), clientMeta(req));
    const res = seeOther(safeNext(done.next), req);
    res.headers.append("set-cookie", sessionCookie(done.cookieValue, req.url));
    res.headers.append("set-cookie", clear);
    return res;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const res = seeOther(`/sign-in?error=${error.code === "FORBIDDEN" ? "no-role" : "oidc"}`, req);
    res.headers.append("set-cookie", clear);
    return res;
  }
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
