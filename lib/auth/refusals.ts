import type { Database } from "@/db/client";
import { recordAudit, type AuditInput } from "../audit/record";
import { countHit } from "./rate-limit";

/**
 * How many refusals the audit log records in a minute, per client address and in all. Refusals
 * are answered (401/403) whatever the count; past a limit the log records one
 * `access.denied.throttled` entry for that window instead of every attempt, so a client sending
 * refused requests in a loop (or spoofing X-Forwarded-For) cannot grow the hash-chained log
 * without bound, and the flood itself is on record.
 */
export const refusalLimits = { perAddress: 30, overall: 300, windowSeconds: 60 };

/** Records a refused request in the audit log, within refusalLimits (see there). */
export async function recordRefusal(db: Database, entry: AuditInput & { outcome: "denied" }, limits = refusalLimits): Promise<void> {
  await db.transaction(async (tx) => {
    const address = entry.ip ?? "unknown";
    const mine = await countHit(tx, `audit-refusals:ip:${address}`, limits.windowSeconds);
    const all = await countHit(tx, "audit-refusals:all", limits.windowSeconds);
    if (mine.count <= limits.perAddress && all.count <= limits.overall) {
      await recordAudit(tx, entry);
      return;
    }
    // The first refusal past a limit says so once; later ones in the same window are not written.
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
        note: `further refused requests from ${scope === "address" ? "this address" : "any address"} are answered but not recorded until the window ends`,
      },
    });
  });
}
