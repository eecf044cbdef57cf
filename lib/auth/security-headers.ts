/**
 * Headers on every response. Next's hydration scripts are inline, so script-src needs
 * 'unsafe-inline' (no nonce pipeline yet); framing is refused outright. HSTS only off localhost,
 * so a developer's http://localhost is not pinned to https.
 */
export function securityHeaders(host: string, dev = process.env.NODE_ENV === "development"): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const headers: Record<string, string> = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
  };
  const hostname = host.replace(/:\d+$/, "");
  if (!["localhost", "127.0.0.1", "[::1]"].includes(hostname)) headers["strict-transport-security"] = "max-age=63072000; includeSubDomains";
  return headers;
}
