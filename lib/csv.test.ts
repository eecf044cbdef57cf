import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvRecords, guardCell } from "./csv";

const nasty = [
  ["plain", "with, comma", 'with "quotes"', "line\r\nbreak", "lf\nonly", "cr\ronly"],
  [" leading space", "trailing space ", "\ttab-led", "nbsp\u00a0", "", "ünïcødé ✓"],
];

describe("CSV records", () => {
  it("round-trips awkward cells through an RFC 4180 parser, CRLF between records", () => {
    const text = csvRecords(nasty);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parse(text, { relax_column_count: false })).toEqual(nasty);
  });

  it("quotes only cells that need it: separators, quotes, line breaks, white space at an edge", () => {
    expect(csvRecords([nasty[0] ?? []])).toBe('plain,"with, comma","with ""quotes""","line\r\nbreak","lf\nonly","cr\ronly"\r\n');
    const line = csvRecords([["a", " b", "c ", "\td", "e\u00a0", "f"]]);
    expect(line).toBe('a," b","c ","\td","e\u00a0",f\r\n');
  });

  it("writes LF records when asked (the audit log export)", () => {
    expect(csvRecords([["seq", "hash"], ["1", "ab"]], "\n")).toBe("seq,hash\n1,ab\n");
  });

  it("writes nothing for no rows", () => {
    expect(csvRecords([])).toBe("");
  });

  it("keeps a guarded formula as text a spreadsheet will not run", () => {
    const cells = ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok"].map(guardCell);
    expect(cells).toEqual(["'=1+2", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok"]);
    expect(parse(csvRecords([cells]))).toEqual([cells]);
  });
});
