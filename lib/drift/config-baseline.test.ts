import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { judgedBothWaysInFile } from "../testing/judged-both-ways";
import { change } from "../evidence/test-change";

/**
 * drift.config-changed compares a container's configuration with its baseline: the first snapshot
 * after its service's last deployment that lists the container. checkout is deployed to production
 * at 10:00; its `app` container is in every snapshot from 11:00, its `metrics` sidecar only from
 * 12:00, so the sidecar's baseline is a later snapshot than the first after the deployment. Judged
 * snapshot by snapshot and as one group (the two paths of lib/drift/gather.ts), with the same result.
 */
const c = change({ key: "baseline" });
const image = `ghcr.io/acme/checkout@${c.digest}`;
const snapshot = (id: string, occurredAt: string, containers: { name: string; configHash: string }[]) => ({
  id,
  type: "snapshot",
  occurredAt,
  environment: "production",
  workloads: [{ namespace: "shop", kind: "Deployment", name: "checkout", service: "checkout", containers: containers.map((x) => ({ ...x, image, digest: c.digest })) }],
});
const snapshots = [
  snapshot("snap-11", "2026-03-14T11:00:00Z", [{ name: "app", configHash: "cfg-app-1" }]),
  snapshot("snap-12", "2026-03-14T12:00:00Z", [{ name: "app", configHash: "cfg-app-1" }, { name: "metrics", configHash: "cfg-metrics-1" }]),
  snapshot("snap-13", "2026-03-14T13:00:00Z", [{ name: "app", configHash: "cfg-app-2" }, { name: "metrics", configHash: "cfg-metrics-1" }]),
  snapshot("snap-14", "2026-03-14T14:00:00Z", [{ name: "app", configHash: "cfg-app-2" }, { name: "metrics", configHash: "cfg-metrics-2" }]),
];


type Row = { subject_key: string; status: string; baseline: string | null; recorded: string | null; observed: string | null };
const configFindings = (h: DatabaseHandle) =>
  queryRows<Row>(
    h.db,
    sql`select subject_key, status, evidence->'baselineSnapshot'->>'externalId' as baseline, evidence->>'recordedConfigHash' as recorded,
          evidence->>'observedConfigHash' as observed
        from findings where rule_id = 'drift.config-changed' order by subject_key, id`,
  );

const both = judgedBothWaysInFile(c.events, snapshots);

describe("the configuration baseline of drift.config-changed", () => {
  it("is the first snapshot after the deployment for a container listed there, and the first that lists it otherwise", async () => {
    const rows = await configFindings(both.one);
    const app = rows.filter((r) => r.subject_key.includes("app"));
    const metrics = rows.filter((r) => r.subject_key.includes("metrics"));
    expect(app).toEqual([expect.objectContaining({ status: "open", baseline: "snap-11", recorded: "cfg-app-1", observed: "cfg-app-2" })]);
    // Not snap-11 (which does not list it): a baseline taken there would say "no snapshot shows it".
    expect(metrics).toEqual([expect.objectContaining({ status: "open", baseline: "snap-12", recorded: "cfg-metrics-1", observed: "cfg-metrics-2" })]);
  });

  it("comes out the same when the four snapshots are judged as one group", async () => {
    const strip = (rows: Row[]) => rows.map(({ subject_key, status, baseline, recorded, observed }) => ({ subject_key, status, baseline, recorded, observed }));
    expect(strip(await configFindings(both.grouped))).toEqual(strip(await configFindings(both.one)));
    expect((await configFindings(both.grouped)).length).toBe(2);
  });
});
