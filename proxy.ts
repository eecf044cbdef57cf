import { NextResponse, type NextRequest } from "next/server";
import { securityHeaders } from "@/lib/auth/security-headers";

/** Security headers on every page and API answer; sessions are checked by the pages and routes themselves. */
export function proxy(request: NextRequest) {
  const response = NextResponse.next();
  for (const [name, value] of Object.entries(securityHeaders(request.headers.get("host") ?? request.nextUrl.host))) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
