import { describe, expect, it } from "vitest";
import { isLinkUrl, linkHref } from "./link-url";

describe("links shown on the pages", () => {
  it("are https, or http on localhost only where allowed", () => {
    expect(isLinkUrl("https://github.com/acme/checkout/pull/1842", false)).toBe(true);
    expect(isLinkUrl("http://localhost:8080/job/1", true)).toBe(true);
    expect(isLinkUrl("http://localhost:8080/job/1", false)).toBe(false);
    expect(isLinkUrl("http://ci.example.com/job/1", true)).toBe(false);
  });

  it("never put javascript: or data: in an href, even when stored before links were checked", () => {
    for (const stored of ["javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/"]) {
      expect(linkHref(stored), stored).toBeNull();
    }
    expect(linkHref("https://github.com/acme/checkout/commit/abc")).toBe("https://github.com/acme/checkout/commit/abc");
  });
});
