import { dayOrNull } from "../evidence/cursor";

/** A half-open period [from, to) in UTC, as shown in the URL (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, `to` inclusive). */
export interface Period {
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
const MAX_DAYS = 366;

const FIRST_DAY = Date.UTC(1, 0, 1);
const LAST_DAY = Date.UTC(9999, 11, 30);

/**
 * A day of the URL, or null (the default period) for anything else, as for any value that is not a
 * day. Years 0001 to 9999 only, and not the last day (the period ends the day after it): Postgres
 * refuses year 0000 and '+010000', which a period of year 0 or 9999 answered with a 500.
 */
function parseDay(value: string | null | undefined): Date | null {
  const d = dayOrNull(value);
  return d && d.getTime() <= LAST_DAY ? d : null;
}

export function dayString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Parses the URL's period; by default the last 30 days up to and including today (UTC). */
export function parsePeriod(from?: string | null, to?: string | null, now: Date = new Date(), defaultDays = 30): Period {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const end = new Date((parseDay(to) ?? today).getTime() + DAY);
  let start = parseDay(from) ?? new Date(end.getTime() - defaultDays * DAY);
  if (start >= end) start = new Date(end.getTime() - DAY);
  if (end.getTime() - start.getTime() > MAX_DAYS * DAY) start = new Date(end.getTime() - MAX_DAYS * DAY);
  if (start.getTime() < FIRST_DAY) start = new Date(FIRST_DAY);
  return { from: start, to: end };
}

/** The period as URL values: `to` is the last day included. */
export function periodParams(p: Period): { from: string; to: string } {
  return { from: dayString(p.from), to: dayString(new Date(p.to.getTime() - DAY)) };
}

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
