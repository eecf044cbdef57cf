import { describe, expect, it } from "vitest";
import { nestingExceeds, unstorableString } from "./json-limits";

describe("unstorableString", () => {
  it("names the path of the first string Postgres cannot store, value or key", () => {
    expect(unstorableString({ events: [{ id: "a" }, { id: "b", data: { note: "x\u0000y" } }] })).toBe("events.1.data.note: contains U+0000 (NUL), which cannot be stored");
    expect(unstorableString({ a: { "bad\u0000key": 1 } })).toBe('a."bad\\u0000key": a key contains U+0000 (NUL), which cannot be stored');
    expect(unstorableString(["ok", "\ud800"])).toBe("1: contains a lone UTF-16 surrogate, which cannot be stored");
    expect(unstorableString("\udc00", ["events", "0"])).toBe("events.0: contains a lone UTF-16 surrogate, which cannot be stored");
    expect(unstorableString("x\u0000")).toBe("(root): contains U+0000 (NUL), which cannot be stored");
  });

  it("accepts paired surrogates (emoji), numbers, booleans and nulls", () => {
    expect(unstorableString({ name: "deploy 🚀", n: 3, ok: true, none: null, list: [1, "é", { k: "😀" }] })).toBeNull();
  });

  it("reports the first problem in document order", () => {
    expect(unstorableString({ a: ["fine", { b: "\ud83d" }], c: "\u0000" })).toBe("a.1.b: contains a lone UTF-16 surrogate, which cannot be stored");
  });
});

describe("nestingExceeds", () => {
  it("counts nesting outside strings only", () => {
    expect(nestingExceeds("[[[1]]]", 3)).toBe(false);
    expect(nestingExceeds("[[[[1]]]]", 3)).toBe(true);
    expect(nestingExceeds('["[[[[[["]', 3)).toBe(false);
  });
});
