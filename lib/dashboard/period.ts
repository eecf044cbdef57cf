/** A half-open period [from, to) in UTC, as shown in the URL (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, `to` inclusive). */
export interface Period {
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
const MAX_DAYS = 366;

function parseDay(value: string | null | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
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
