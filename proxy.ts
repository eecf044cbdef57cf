import { NextResponse, type NextRequest } from "next/server";
import { newNonce, securityHeaders } from "@/lib/auth/security-headers";
import { urlRefusal, urlRefusalResponse } from "@/lib/http/url-guard";
import { PAGE_PATH_HEADER } from "@/lib/navigation/pages";

/**
 * Security headers on every page and API answer (but the admission webhook's, see the matcher),
 * with a fresh script nonce per request; sessions are checked by the pages and routes themselves.
 * The policy also goes on the request, which is where Next reads the nonce to put it on the
 * scripts it renders (every page renders per request).
 */
export function proxy(request: NextRequest) {
  const headers = securityHeaders(request.headers.get("host") ?? request.nextUrl.host, newNonce());
  // A URL no name can come from (%00, a path that is not UTF-8): 400 here, before Next's router
  // fails to decode it or a route passes a NUL to Postgres (lib/http/url-guard.ts).
  const refused = urlRefusal(request.nextUrl.pathname, request.nextUrl.search);
  if (refused) {
    const res = urlRefusalResponse(request.nextUrl.pathname, refused, crypto.randomUUID());
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
    return res;
  }
  const forwarded = new Headers(request.headers);
  forwarded.set("content-security-policy", headers["content-security-policy"] ?? "");
  // Always ours, never the client's: the 403 and 404 pages read it to say what was asked for.
  forwarded.set(PAGE_PATH_HEADER, request.nextUrl.pathname);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Not the admission webhook: its one caller is the Kubernetes API server (through the TLS sidecar),
// to which browser headers mean nothing, and skipping the proxy saves each review Next's
// middleware round (a request and a response built and merged) on the p99-bound path.
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/v1/admission$).*)"],
};
