import { describe, expect, it } from "vitest";
import { safeNext } from "./forms";

// Where a person lands after signing in: never another site, however the path is spelt.
describe("safeNext", () => {
  it.each([
    ["/\t/evil.example", "a tab, which browsers drop, making //evil.example"],
    ["/\n/evil.example", "a newline"],
    ["/\r\n/evil.example", "CR LF"],
    ["/\u0000/evil.example", "a NUL"],
    ["/\\evil.example", "a backslash, which browsers read as a slash"],
    ["/x\\..\\\\evil.example", "backslashes further in"],
    ["//evil.example", "a protocol-relative URL"],
    ["/a/../..//evil.example", "dot segments that normalise to //evil.example"],
    ["/./\u00a0/evil.example", "a non-breaking space"],
    ["https://evil.example/", "an absolute URL"],
    ["javascript:alert(1)", "a javascript: URL"],
    ["audit-log", "a path that is not absolute"],
    [`/${"a".repeat(600)}`, "an overlong path"],
  ])("refuses %j (%s)", (value) => {
    expect(safeNext(value)).toBe("/");
  });

  it("keeps a same-site path with its query and fragment", () => {
    expect(safeNext("/audit-log?cursor=12#top")).toBe("/audit-log?cursor=12#top");
    expect(safeNext("/trace/acme%2Fcheckout%231842")).toBe("/trace/acme%2Fcheckout%231842");
    expect(safeNext(null)).toBe("/");
  });
});
