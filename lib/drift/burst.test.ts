import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { judgedBothWaysInFile } from "../testing/judged-both-ways";
import { change } from "../evidence/test-change";

/**
 * A burst of snapshots judged in one evaluation keeps the open drift findings it consults in step
 * with what each snapshot opens and resolves (lib/drift/evaluate-snapshot.ts, OpenDriftKnown): a
 * hot-patched digest seen, gone, seen again and gone again is two findings, each resolved by the
 * snapshot after it, exactly as when the four snapshots arrive one at a time.
 */
const c = change({ key: "burst" });
const hot = `sha256:${"e".repeat(64)}`;
const snapshot = (id: string, occurredAt: string, digest: string) => ({
  id,
  type: "snapshot",
  occurredAt,
  environment: "production",
  workloads: [{ namespace: "shop", kind: "Deployment", name: "checkout", service: "checkout", containers: [{ name: "app", image: `ghcr.io/acme/checkout@${digest}`, digest }] }],
});
const snapshots = [
  snapshot("burst-11", "2026-03-14T11:00:00Z", hot),
  snapshot("burst-12", "2026-03-14T12:00:00Z", c.digest),
  snapshot("burst-13", "2026-03-14T13:00:00Z", hot),
  snapshot("burst-14", "2026-03-14T14:00:00Z", c.digest),
];


type Row = { rule_id: string; status: string; opened: string; resolved: string | null };
const driftFindings = (h: DatabaseHandle) =>
  queryRows<Row>(
    h.db,
    sql`select rule_id, status, to_char(opened_at at time zone 'UTC', 'HH24:MI') as opened, to_char(resolved_at at time zone 'UTC', 'HH24:MI') as resolved
        from findings where rule_id like 'drift.%' and environment = 'production' order by rule_id, opened_at, id`,
  );

const both = judgedBothWaysInFile(c.events, snapshots);

describe("a burst of snapshots judged at once", () => {
  it("opens and resolves a hot patch twice, as the snapshots one at a time do", async () => {
    const unrecorded = (await driftFindings(both.one)).filter((r) => r.rule_id === "drift.unrecorded-digest");
    expect(unrecorded).toEqual([
      { rule_id: "drift.unrecorded-digest", status: "resolved", opened: "11:00", resolved: "12:00" },
      { rule_id: "drift.unrecorded-digest", status: "resolved", opened: "13:00", resolved: "14:00" },
    ]);
    expect(await driftFindings(both.grouped)).toEqual(await driftFindings(both.one));
  });
});
