import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { toIso } from "./period";

export interface IncidentRow {
  id: number;
  title: string;
  status: string;
  environment: string | null;
  owner: string;
  openedAt: string;
  closedAt: string | null;
  /** Hours from opened to closed, or to now while still open. */
  durationHours: number;
}

export interface IncidentPage {
  items: IncidentRow[];
  nextCursor: string | null;
}

export async function listIncidents(
  db: Queryable,
  filters: { status?: string | null },
  cursor?: string | null,
  limit = 25,
  now: Date = new Date(),
): Promise<IncidentPage> {
  // Every id is below a cursor of more than 15 digits (past a bigint: it answered 500).
  const before = cursor && /^\d{1,15}$/.test(cursor) ? sql`and i.id < ${Number(cursor)}` : sql``;
  const status = filters.status ? sql`and i.status = ${filters.status}` : sql``;
  const rows = await queryRows<{
    id: number | string; title: string; status: string; environment: string | null; owner: string;
    opened_at: Date | string; closed_at: Date | string | null; seconds: number | string;
  }>(
    db,
    sql`select i.id, i.title, i.status, i.environment, i.owner, i.opened_at, i.closed_at,
          extract(epoch from coalesce(i.closed_at, ${now}::timestamptz) - i.opened_at) as seconds
        from incidents i where true ${status} ${before} order by i.id desc limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map((r) => ({
    id: Number(r.id), title: r.title, status: r.status, environment: r.environment, owner: r.owner,
    openedAt: toIso(r.opened_at) ?? "", closedAt: toIso(r.closed_at),
    durationHours: Math.round((Number(r.seconds) / 3600) * 10) / 10,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : null };
}
