import { validation } from "../errors";

/** Opaque keyset cursors: base64url of a small JSON object; anything else is a 400. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor<K extends string>(raw: string, keys: Record<K, "string" | "number">): Record<K, string | number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw validation("cursor: malformed");
  }
  if (parsed === null || typeof parsed !== "object") throw validation("cursor: malformed");
  const obj = parsed as Record<string, unknown>;
  for (const [k, type] of Object.entries(keys)) {
    if (typeof obj[k] !== type) throw validation("cursor: malformed");
  }
  return obj as Record<K, string | number>;
}

/**
 * Parses an ISO-8601 instant from a query parameter, or throws a 400 naming it. A time without a
 * zone (`2026-03-14T10:00`, what a datetime-local picker sends) is UTC, like a bare date: never
 * the server's own zone, so pages and API read the same instant wherever they run.
 */
export function parseInstant(name: string, raw: string | null | undefined): Date | undefined {
  if (raw === null || raw === undefined || raw === "") return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw);
  const zoned = !raw.includes("T") || /(Z|[+-]\d{2}:?\d{2})$/.test(raw);
  const d = new Date(zoned ? raw : `${raw}Z`);
  if (!ok || Number.isNaN(d.getTime())) throw validation(`${name}: must be an ISO-8601 date-time, e.g. 2026-03-14T10:00:00Z`);
  return requireStorable(name, d);
}

export const FIRST_STORABLE_DAY = "0001-01-01";
export const LAST_STORABLE_DAY = "9999-12-31";
/** What a 400 says of a date outside the years Postgres holds, after the field's name. */
export const OUTSIDE_STORABLE = `must fall between ${FIRST_STORABLE_DAY} and ${LAST_STORABLE_DAY} (UTC)`;

/** The 400 for a date outside the years Postgres holds unless `d` is inside them; `d` back for chaining. */
export function requireStorable(name: string, d: Date): Date {
  if (!storableInstant(d)) throw validation(`${name}: ${OUTSIDE_STORABLE}`);
  return d;
}

/**
 * Whether Postgres takes the instant as drizzle sends it (its ISO form): years 0001 to 9999 in UTC.
 * JavaScript also holds year 0 (`0000-01-01`, or `0001-01-01T00:00+01:00`) and years past 9999,
 * which Postgres refuses ("date/time field value out of range"): a filter with one answered 500.
 */
export function storableInstant(d: Date): boolean {
  const year = d.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** A day, `YYYY-MM-DD`, as UTC midnight, or null when it is none (`2026-13-45`) or one Postgres cannot hold. */
export function dayOrNull(raw: string | null | undefined): Date | null {
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return null;
  const d = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && storableInstant(d) ? d : null;
}

/** dayOrNull for a parameter: a 400 naming it, and saying why, when it is no day Postgres can hold. */
export function parseDay(name: string, raw: string): Date {
  const d = dayOrNull(raw);
  if (d) return d;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(`${raw}T00:00:00Z`))) {
    throw validation(`${name}: ${OUTSIDE_STORABLE}`);
  }
  throw validation(`${name}: must be a day, YYYY-MM-DD`);
}

export function parseLimit(raw: string | null, fallback = 50, max = 200): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw validation(`limit: must be a whole number from 1 to ${max}`);
  return Number(raw);
}
