import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers";

describe("security headers", () => {
  it("refuse framing, sniffing and leaky referrers everywhere", () => {
    const h = securityHeaders("custody.example.com");
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"]).toContain("object-src 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });

  it("send HSTS outside localhost only", () => {
    expect(securityHeaders("custody.example.com")["strict-transport-security"]).toMatch(/max-age=\d{8}/);
    expect(securityHeaders("localhost:3000")["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders("127.0.0.1:3000")["strict-transport-security"]).toBeUndefined();
  });

  it("allow eval only in development (React's dev tooling needs it)", () => {
    expect(securityHeaders("localhost", false)["content-security-policy"]).not.toContain("unsafe-eval");
    expect(securityHeaders("localhost", true)["content-security-policy"]).toContain("unsafe-eval");
  });
});
