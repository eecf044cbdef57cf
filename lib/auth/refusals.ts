import { sql } from "drizzle-orm";
import { queryRows, type Database, type Queryable } from "@/db/client";
import { recordAudit, type AuditInput } from "../audit/record";
import { countHit } from "./rate-limit";

/**
 * How many refusals the audit log records one by one in a minute, per client address and in all.
 * Refusals are answered (401/403) whatever the count. Past a limit the log records one
 * `access.denied.throttled` entry, then only counts: the refusals it did not record are written
 * as one `access.denied.aggregate` entry per window. A client sending refused requests in a loop
 * (with made-up tokens, from many addresses) adds at most the limit plus one entry a minute to
 * the hash-chained log, and the size of the flood is still on record.
 */
export const refusalLimits = { perAddress: 10, overall: 60, windowSeconds: 60 };

const UNRECORDED = "audit-refusals:unrecorded";

/** Records a refused request in the audit log, within refusalLimits (see there). */
export async function recordRefusal(db: Database, entry: AuditInput & { outcome: "denied" }, limits = refusalLimits): Promise<void> {
  await db.transaction(async (tx) => {
    await writePendingCount(tx, limits);
    const address = entry.ip ?? "unknown";
    const mine = await countHit(tx, `audit-refusals:ip:${address}`, limits.windowSeconds);
    const all = await countHit(tx, "audit-refusals:all", limits.windowSeconds);
    if (mine.count <= limits.perAddress && all.count <= limits.overall) {
      await recordAudit(tx, entry);
      return;
    }
    // The first refusal past a limit says so; it and later ones in the window are counted.
    await tx.execute(sql`insert into rate_limits (key, window_start, count) values (${UNRECORDED}, now(), 1)
      on conflict (key) do update set count = rate_limits.count + 1`);
    const scope = mine.count === limits.perAddress + 1 ? "address" : all.count === limits.overall + 1 ? "all addresses" : null;
    if (scope === null) return;
    await recordAudit(tx, {
      ...entry,
      action: "access.denied.throttled",
      details: {
        ...entry.details,
        throttled: scope,
        recordedPerWindow: scope === "address" ? limits.perAddress : limits.overall,
        windowSeconds: limits.windowSeconds,
        note: `further refused requests from ${scope === "address" ? "this address" : "any address"} are answered and counted, and the count is recorded as access.denied.aggregate`,
      },
    });
  });
}

/**
 * Writes the count of refusals not recorded one by one, once their window has ended. Runs before
 * each refusal and when the audit log is read, so a count never waits for the next attack.
 */
export async function flushRefusalCounts(db: Database, limits = refusalLimits): Promise<void> {
  await db.transaction((tx) => writePendingCount(tx, limits));
}

async function writePendingCount(tx: Queryable, limits: { windowSeconds: number }): Promise<void> {
  const [ended] = await queryRows<{ count: number | string; window_start: Date | string; window_end: Date | string }>(
    tx,
    sql`delete from rate_limits
        where key = ${UNRECORDED} and window_start <= now() - make_interval(secs => ${limits.windowSeconds})
        returning count, window_start, window_start + make_interval(secs => ${limits.windowSeconds}) as window_end`,
  );
  if (!ended) return;
  await recordAudit(tx, {
    actor: "(custody)",
    actorType: "system",
    action: "access.denied.aggregate",
    target: "refused requests",
    outcome: "denied",
    details: {
      unrecorded: Number(ended.count),
      from: new Date(ended.window_start).toISOString(),
      to: new Date(ended.window_end).toISOString(),
      windowSeconds: limits.windowSeconds,
      note: "refused requests past the per-minute limit, answered and counted but not recorded one by one",
    },
  });
}
