import { describe, expect, it } from "vitest";
import { newNonce, securityHeaders } from "./security-headers";

const nonce = "bm9uY2Utb2YtdGhpcy10ZXN0";

describe("security headers", () => {
  it("refuse framing, sniffing and leaky referrers everywhere", () => {
    const h = securityHeaders("custody.example.com", nonce);
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"]).toContain("object-src 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });

  it("run only scripts carrying this response's nonce: no inline script or handler without it", () => {
    const scriptSrc = securityHeaders("custody.example.com", nonce)["content-security-policy"]?.split("; ").find((d) => d.startsWith("script-src"));
    expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(scriptSrc).not.toContain("unsafe-inline");
  });

  it("make a new, unguessable nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });

  it("send HSTS outside localhost only", () => {
    expect(securityHeaders("custody.example.com", nonce)["strict-transport-security"]).toMatch(/max-age=\d{8}/);
    expect(securityHeaders("localhost:3000", nonce)["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders("127.0.0.1:3000", nonce)["strict-transport-security"]).toBeUndefined();
  });

  it("allow eval only in development (React's dev tooling needs it)", () => {
    expect(securityHeaders("localhost", nonce, false)["content-security-policy"]).not.toContain("unsafe-eval");
    expect(securityHeaders("localhost", nonce, true)["content-security-policy"]).toContain("unsafe-eval");
  });
});
