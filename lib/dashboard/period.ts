import { dayOrNull, FIRST_STORABLE_DAY, LAST_STORABLE_DAY } from "../evidence/cursor";

/** A half-open period [from, to) in UTC, as shown in the URL (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, `to` inclusive). */
export interface Period {
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
const MAX_DAYS = 366;

// Not Date.UTC(1, 0, 1): Date.UTC reads the years 0 to 99 as 1900 to 1999, so a period ending early in
// year 1 was clamped to start in 1901, after its end.
const FIRST_DAY = Date.parse("0001-01-01T00:00:00Z");
const LAST_DAY = Date.parse("9999-12-30T00:00:00Z");

/**
 * A day of the URL, or null (the default period) for anything else, as for any value that is not a
 * day. Years 0001 to 9999 only, and not the last day (the period ends the day after it): Postgres
 * refuses year 0000 and '+010000', which a period of year 0 or 9999 answered with a 500.
 */
function periodDay(value: string | null | undefined): Date | null {
  const d = dayOrNull(value);
  return d && d.getTime() <= LAST_DAY ? d : null;
}

export function dayString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Parses the URL's period; by default the last 30 days up to and including today (UTC). */
export function parsePeriod(from?: string | null, to?: string | null, now: Date = new Date(), defaultDays = 30): Period {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const end = new Date((periodDay(to) ?? today).getTime() + DAY);
  let start = periodDay(from) ?? new Date(end.getTime() - defaultDays * DAY);
  if (start >= end) start = new Date(end.getTime() - DAY);
  if (end.getTime() - start.getTime() > MAX_DAYS * DAY) start = new Date(end.getTime() - MAX_DAYS * DAY);
  if (start.getTime() < FIRST_DAY) start = new Date(FIRST_DAY);
  return { from: start, to: end };
}

/** The period as URL values: `to` is the last day included. */
export function periodParams(p: Period): { from: string; to: string } {
  return { from: dayString(p.from), to: dayString(new Date(p.to.getTime() - DAY)) };
}

/**
 * What the page should tell its reader about the period asked for in the URL (`from`, `to`, as
 * typed) when the period used (`used`, from parsePeriod) is not that: a value that is no day, a
 * start after the end, a period longer than a year. Empty when the URL's period was used as given
 * (or none was asked for). Without it the period boxes showed the value typed while the figures
 * covered the default period.
 */
export function periodNotes(from: string | null | undefined, to: string | null | undefined, used: Period): string[] {
  const shown = periodParams(used);
  const notes: string[] = [];
  const notADay = (name: string, raw: string, instead: string) =>
    notes.push(`${name} ${quoted(raw)} is not a day from ${dayString(new Date(FIRST_DAY))} to ${dayString(new Date(LAST_DAY))} (YYYY-MM-DD): ${instead}.`);
  const start = from ? periodDay(from) : null;
  if (to && periodDay(to) === null) notADay("To", to, `the period ends on ${shown.to}, today`);
  if (from && start === null) notADay("From", from, `the period starts on ${shown.from}`);
  if (start !== null && dayString(start) !== shown.from) {
    const asked = dayString(start);
    if (asked > shown.to) notes.push(`From ${asked} is after the period's end, ${shown.to}: the period is ${shown.to} alone.`);
    else notes.push(`A period is at most ${MAX_DAYS} days: it starts on ${shown.from}, not ${asked}.`);
  }
  return notes;
}

/**
 * What a list's day filter (the findings page's "Opened from") tells its reader when the URL's value
 * is no day and the filter is therefore left out, as the API would refuse it; null for a day or none.
 */
export function dayFilterNote(label: string, raw: string | null | undefined): string | null {
  if (!raw || dayOrNull(raw)) return null;
  return `${label} ${quoted(raw)} is not a day from ${FIRST_STORABLE_DAY} to ${LAST_STORABLE_DAY} (YYYY-MM-DD): not applied.`;
}

/** A value from the URL as a notice quotes it: its first 40 characters. */
const quoted = (raw: string): string => `“${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}”`;

export function periodDays(p: Period): number {
  return Math.max(1, Math.round((p.to.getTime() - p.from.getTime()) / DAY));
}

/** Every day of the period, so charts show days with nothing as zero rather than skipping them. */
export function daysOf(p: Period): string[] {
  const out: string[] = [];
  for (let t = p.from.getTime(); t < p.to.getTime(); t += DAY) out.push(dayString(new Date(t)));
  return out;
}

export function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (typeof value === "string" ? new Date(value) : value).toISOString();
}
