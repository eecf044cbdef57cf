/**
 * Headers on every response. Scripts run only with this response's nonce (Next puts it on its
 * own scripts, and 'strict-dynamic' extends trust to the chunks they load), so an injected
 * <script> or inline handler does not run; styles still allow inline style attributes (the
 * charts set them). Framing is refused outright. HSTS only off localhost, so a developer's
 * http://localhost is not pinned to https.
 */
export function securityHeaders(host: string, nonce: string, dev = process.env.NODE_ENV === "development"): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
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

/** A fresh nonce for one response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
