import { lt, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { rateLimits } from "@/db/schema";
import { AppError } from "../errors";

/** Counts one hit against `key` in a fixed window of `windowSeconds`: the hits so far in this window, and when it started. */
export async function countHit(db: Queryable, key: string, windowSeconds: number): Promise<{ count: number; windowStart: Date }> {
  const [row] = await queryRows<{ count: number | string; window_start: Date | string }>(
    db,
    sql`insert into rate_limits (key, window_start, count) values (${key}, now(), 1)
        on conflict (key) do update set
          count = case when rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else rate_limits.count + 1 end,
          window_start = case when rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else rate_limits.window_start end
        returning count, window_start`,
  );
  // Now and then, forget windows that ended long ago, so one row per address seen does not pile up.
  if (Math.random() < 0.01) await db.delete(rateLimits).where(lt(rateLimits.windowStart, new Date(Date.now() - 86_400_000)));
  return { count: Number(row?.count ?? 1), windowStart: new Date(row?.window_start ?? Date.now()) };
}

/**
 * Counts one hit against `key` in a fixed window and refuses (429 RATE_LIMITED, with the seconds
 * to wait) past `limit`. One atomic upsert in Postgres, so it holds across processes.
 */
export async function hitRateLimit(db: Queryable, key: string, limit: number, windowSeconds: number): Promise<void> {
  const { count, windowStart } = await countHit(db, key, windowSeconds);
  if (count <= limit) return;
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowSeconds * 1000 - Date.now()) / 1000));
  throw new AppError("RATE_LIMITED", `too many attempts; try again in ${retryAfter} seconds`, { retryAfter });
}
