import { sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

import { toSnakeCase as snake } from "drizzle-orm/casing";

/** `excluded.<column>` in an ON CONFLICT clause (columns are snake_case in SQL). */
export const excluded = (key: string): SQL => sql.raw(`excluded.${snake(key)}`);

/**
 * SET clauses that make an upsert commutative: the newer event (by its source timestamp) wins for
 * each field it knows, an older one only fills fields still unknown. Replaying events in any
 * order therefore ends in the same row.
 */
export function newerWins<T extends PgTable>(table: T, keys: string[], tsKey: string): Record<string, SQL> {
  const cols = table as unknown as Record<string, PgColumn>;
  const ts = cols[tsKey];
  const set: Record<string, SQL> = {};
  for (const key of keys) {
    const col = cols[key];
    if (!col || !ts) throw new Error(`unknown column ${key}`);
    set[key] = sql`case when ${excluded(tsKey)} >= ${ts} then coalesce(${excluded(key)}, ${col}) else coalesce(${col}, ${excluded(key)}) end`;
  }
  if (ts) set[tsKey] = sql`greatest(${ts}, ${excluded(tsKey)})`;
  return set;
}

/** The same rule in memory, to fold several events for one key inside one batch. */
export function foldNewerWins<R extends Record<string, unknown>>(rows: R[], tsKey: keyof R): R {
  const sorted = [...rows].sort((a, b) => {
    const ta = (a[tsKey] as Date).getTime();
    const tb = (b[tsKey] as Date).getTime();
    return ta - tb;
  });
  const out = { ...(sorted[0] as R) };
  for (const row of sorted.slice(1)) {
    for (const [k, v] of Object.entries(row)) {
      if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
