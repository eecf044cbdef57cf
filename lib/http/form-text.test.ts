import { describe, expect, it } from "vitest";
import { formProblem } from "./form-text";

describe("formProblem", () => {
  it("is null for a form of ordinary text and files", () => {
    const form = new FormData();
    form.set("title", "Checkout outage — 本番");
    form.set("file", new Blob(["\u0000binary"]), "x.bin");
    expect(formProblem(form)).toBeNull();
  });

  it("names the field holding a NUL, which Postgres cannot store", () => {
    const form = new FormData();
    form.set("title", "ok");
    form.set("justification", "a\u0000b");
    expect(formProblem(form)).toBe("The field “justification” holds a NUL character (U+0000), which Custody cannot store: remove it and send the form again.");
  });

  it("gets no lone surrogate from FormData, which stores text as USVString (U+FFFD in its place)", () => {
    const form = new FormData();
    form.set("name", "x\ud800");
    expect(form.get("name")).toBe("x\ufffd");
    expect(formProblem(form)).toBeNull();
  });
});
