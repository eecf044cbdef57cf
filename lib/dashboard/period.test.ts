import { describe, expect, it } from "vitest";
import { dayFilterNote, parsePeriod, periodNotes, periodParams } from "./period";

const now = new Date("2026-11-27T12:00:00Z");
/** The period a page uses for the URL's values, what it shows in the boxes, and what it tells the reader. */
const page = (from: string | null, to: string | null, days = 90) => {
  const used = parsePeriod(from, to, now, days);
  return { shown: periodParams(used), notes: periodNotes(from, to, used) };
};

describe("the period a page shows and what it says about the one asked for", () => {
  it("says nothing when the URL's period is used as given, or none is asked for", () => {
    expect(page("2026-10-01", "2026-10-31")).toEqual({ shown: { from: "2026-10-01", to: "2026-10-31" }, notes: [] });
    expect(page(null, null)).toEqual({ shown: { from: "2026-08-30", to: "2026-11-27" }, notes: [] });
    expect(page("", "")).toEqual({ shown: { from: "2026-08-30", to: "2026-11-27" }, notes: [] });
    expect(page("2025-11-27", "2026-11-27").notes).toEqual([]);
  });

  it("names a value that is no day and says which day was used instead", () => {
    expect(page("0000-01-01", "9999-12-31")).toEqual({
      shown: { from: "2026-08-30", to: "2026-11-27" },
      notes: [
        "To “9999-12-31” is not a day from 0001-01-01 to 9999-12-30 (YYYY-MM-DD): the period ends on 2026-11-27, today.",
        "From “0000-01-01” is not a day from 0001-01-01 to 9999-12-30 (YYYY-MM-DD): the period starts on 2026-08-30.",
      ],
    });
    expect(page("2026-13-45", "2026-10-31").notes).toEqual([
      "From “2026-13-45” is not a day from 0001-01-01 to 9999-12-30 (YYYY-MM-DD): the period starts on 2026-08-03.",
    ]);
    const long = page("x".repeat(5000), null).notes[0] ?? "";
    expect(long.length).toBeLessThan(200);
    expect(long).toContain(`“${"x".repeat(40)}…”`);
  });

  it("says when the start was after the end, or the period longer than a year", () => {
    expect(page("2026-11-01", "2026-10-01")).toEqual({
      shown: { from: "2026-10-01", to: "2026-10-01" },
      notes: ["From 2026-11-01 is after the period's end, 2026-10-01: the period is 2026-10-01 alone."],
    });
    expect(page("2020-01-01", "2026-10-31")).toEqual({
      shown: { from: "2025-10-31", to: "2026-10-31" },
      notes: ["A period is at most 366 days: it starts on 2025-10-31, not 2020-01-01."],
    });
    // A valid start with an end that is no day: the end is today, and the start is after it.
    expect(page("2026-12-25", "nope").notes).toEqual([
      "To “nope” is not a day from 0001-01-01 to 9999-12-30 (YYYY-MM-DD): the period ends on 2026-11-27, today.",
      "From 2026-12-25 is after the period's end, 2026-11-27: the period is 2026-11-27 alone.",
    ]);
  });

  it("keeps a period early in year 1 starting before it ends (Date.UTC reads year 1 as 1901)", () => {
    const p = parsePeriod(null, "0001-01-05", now, 90);
    expect(periodParams(p)).toEqual({ from: "0001-01-01", to: "0001-01-05" });
    expect(page("0001-01-01", "0001-03-01")).toEqual({ shown: { from: "0001-01-01", to: "0001-03-01" }, notes: [] });
  });
});

describe("a list's day filter that is no day", () => {
  it("is named and said not to be applied; a day, or none, says nothing", () => {
    expect(dayFilterNote("Opened from", "2026-13-45")).toBe("Opened from “2026-13-45” is not a day from 0001-01-01 to 9999-12-31 (YYYY-MM-DD): not applied.");
    expect(dayFilterNote("Opened to", "0000-01-01")).toBe("Opened to “0000-01-01” is not a day from 0001-01-01 to 9999-12-31 (YYYY-MM-DD): not applied.");
    expect(dayFilterNote("Opened from", "2026-11-01")).toBeNull();
    expect(dayFilterNote("Opened from", "9999-12-31")).toBeNull();
    expect(dayFilterNote("Opened from", "")).toBeNull();
    expect(dayFilterNote("Opened from", null)).toBeNull();
  });
});
