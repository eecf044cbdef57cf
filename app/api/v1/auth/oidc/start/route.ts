import { safeNext } from "@/lib/auth/forms";
import { flowCookie, startOidc } from "@/lib/auth/oidc";
import { isLocalHttp } from "@/lib/auth/sessions";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { handler, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Starts sign-in through the organisation's OpenID provider (404 when none is configured). */
export const GET = handler(async (req) => {
  const c = config();
  if (!c.oidc) throw new AppError("NOT_FOUND", "OpenID Connect sign-in is not configured");
  const base = c.publicUrl ?? new URL(req.url).origin;
  const next = safeNext(new URL(req.url).searchParams.get("next"));
  const { url, flowCookie: value } = await startOidc(c.oidc, new URL("/api/v1/auth/oidc/callback", base).toString(), next);
  return new Response(null, { status: 302, headers: { location: url.toString(), "set-cookie": flowCookie(value, !isLocalHttp(req.url)), "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
