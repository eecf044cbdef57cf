import { getTableColumns, type InferSelectModel } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { PgTable } from "drizzle-orm/pg-core";

type Mapper = (row: Record<string, unknown>) => Record<string, unknown>;
const mappers = new WeakMap<PgTable, Mapper>();

/**
 * Rows a query returned as `to_jsonb(row)` (snake_case keys), read the way drizzle's select reads
 * them: each column's own driver mapping, so dates are Dates and bigints numbers. This lets one
 * statement bring back several tables' rows, as one jsonb array each, in a single round trip.
 */
export function rowsFromJson<T extends PgTable>(table: T, rows: unknown): InferSelectModel<T>[] {
  if (!Array.isArray(rows)) return [];
  let map = mappers.get(table);
  if (map === undefined) {
    const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.keyAsName ? toSnakeCase(key) : column.name, column }));
    map = (row) => {
      const out: Record<string, unknown> = {};
      for (const { key, name, column } of columns) {
        const value = row[name];
        out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return out;
    };
    mappers.set(table, map);
  }
  return rows.map((r) => map(r as Record<string, unknown>) as InferSelectModel<T>);
}
