import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";

/**
 * Failed sign-ins per email address, as a leaky bucket in `rate_limits`: each failure adds one,
 * and one leaks out every `seconds / failures`. The `failures`-th failure within that decay locks
 * the address for `seconds`, by when the count has leaked back to nothing: one more miss after a
 * lock does not lock again at once, and an old mistype stops counting. Kept per address typed,
 * whether or not an account has it, so a locked answer tells no one which addresses have accounts.
 */
export const LOCKOUT = { failures: 5, seconds: 15 * 60 };

const keyOf = (email: string) => `sign-in:account:${email}`;
const lockKeyOf = (email: string) => `sign-in:account-lock:${email}`;
const leakSeconds = () => LOCKOUT.seconds / LOCKOUT.failures;

/** Seconds until this address may try again, or 0 when it is not locked. */
export async function lockedFor(db: Queryable, email: string): Promise<number> {
  const [row] = await queryRows<{ elapsed: number | string }>(
    db,
    sql`select extract(epoch from now() - window_start) as elapsed from rate_limits where key = ${lockKeyOf(email)}`,
  );
  if (!row) return 0;
  const remaining = LOCKOUT.seconds - Number(row.elapsed);
  return remaining > 0 ? Math.ceil(remaining) : 0;
}

/** Counts one failure against the address and locks it at the limit; answers whether it is now locked. */
export async function countFailure(db: Queryable, email: string): Promise<boolean> {
  const leak = leakSeconds();
  const leaked = sql`floor(extract(epoch from now() - rate_limits.window_start) / ${leak})::int`;
  const [row] = await queryRows<{ count: number | string }>(
    db,
    sql`insert into rate_limits (key, window_start, count) values (${keyOf(email)}, now(), 1)
        on conflict (key) do update set
          count = greatest(0, rate_limits.count - ${leaked}) + 1,
          window_start = case when ${leaked} >= rate_limits.count then now()
                              else rate_limits.window_start + make_interval(secs => ${leaked} * ${leak}) end
        returning count`,
  );
  if (Number(row?.count ?? 1) < LOCKOUT.failures) return false;
  await db.execute(sql`insert into rate_limits (key, window_start, count) values (${lockKeyOf(email)}, now(), 1)
    on conflict (key) do update set window_start = now(), count = rate_limits.count + 1`);
  return true;
}

/** A successful sign-in starts the count again. */
export async function clearFailures(db: Queryable, email: string): Promise<void> {
  await db.execute(sql`delete from rate_limits where key in (${keyOf(email)}, ${lockKeyOf(email)})`);
}
