import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { openUpgradeDatabase, type UpgradeDatabase } from "@/lib/testing/upgrade-database";
import { environmentStateAt } from "../evidence/state";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { clusterSnapshot } from "../ingest/kubernetes";
import { ensurePartitions, listPartitions } from "./maintain";
import { withinMonths } from "./prune";

/**
 * Migration 0027 on a database holding snapshots of 2018 and of this year (the embedded one, or a
 * new database on DATABASE_URL's server): every snapshot and its workloads, controllers and configs
 * are kept, each in the partition of the snapshot's month; one snapshot per sender and id still
 * holds for every writer (snapshot_keys); drift and state-at read them as before.
 */
let db: UpgradeDatabase;
let h: DatabaseHandle;

// `kubectl get pods -A -o json` and `kubectl get deploy,sts,ds,cronjob,job,cm,secret -A -o json` of one cluster (see the fixtures' README), as one List.
const fixture = (name: string): { items: unknown[] } =>
  JSON.parse(readFileSync(path.join(process.cwd(), "lib", "ingest", "kubernetes", "fixtures", name), "utf8"));
const kubectlList = (): unknown => ({ apiVersion: "v1", kind: "List", items: [...fixture("pods.json").items, ...fixture("controllers.json").items] });
const OLD = "2018-11-15T10:00:00.000Z";
const thisMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 2, 9, 30)).toISOString();
const monthName = (iso: string) => `${iso.slice(0, 4)}m${iso.slice(5, 7)}`;

const send = async (events: unknown[]) => {
  const body = { events };
  const r = await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
  return r;
};

/** A snapshot of the kubectl output stored in the shape of the tables before 0027 (no observed_at in its rows). */
async function storeBefore0027(externalId: string, observedAt: string): Promise<void> {
  const e = clusterSnapshot(kubectlList(), { environment: "production", id: externalId, observedAt });
  const [snap] = await queryRows<{ id: number | string }>(
    h.db,
    sql`insert into snapshots (external_id, environment, observed_at, workload_count, source_kind, source_key, source_keys)
        values (${externalId}, 'production', ${observedAt}::timestamptz, ${e.workloads.length}, 'cli', 'cli', '{cli}') returning id`,
  );
  const id = Number(snap?.id);
  for (const w of e.workloads) {
    for (const c of w.containers) {
      await h.db.execute(sql`insert into snapshot_workloads (snapshot_id, namespace, kind, name, service, container, image_ref, digest, replicas)
        values (${id}, ${w.namespace}, ${w.kind}, ${w.name}, ${w.service ?? w.name}, ${c.name}, ${c.image}, ${c.digest ?? null}, ${w.replicas})`);
    }
  }
  for (const c of e.controllers ?? []) {
    await h.db.execute(sql`insert into snapshot_controllers (snapshot_id, namespace, kind, name, service, images, config_refs)
      values (${id}, ${c.namespace}, ${c.kind}, ${c.name}, ${c.service ?? c.name}, ${JSON.stringify(c.images)}::jsonb, ${JSON.stringify(c.configRefs)}::jsonb)`);
  }
  for (const c of e.configs ?? []) {
    await h.db.execute(sql`insert into snapshot_configs (snapshot_id, namespace, kind, name, data_hash) values (${id}, ${c.namespace}, ${c.kind}, ${c.name}, ${c.dataHash})`);
  }
}

beforeAll(async () => {
  db = await openUpgradeDatabase("snapparts", "0027");
  h = db.handle;
  // Two snapshots in the tables as they were before 0027 (one of November 2018, one of this month).
  await db.migrateBefore();
  for (const [id, at] of [["snap-2018", OLD], ["snap-now", thisMonth]] as const) await storeBefore0027(id, at);
  await db.migrateAll();
}, 120_000);

afterAll(async () => db?.close());

/** Each table's rows of a snapshot, by the partition holding them. */
async function placement(externalId: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ["snapshots", "snapshot_workloads", "snapshot_controllers", "snapshot_configs"]) {
    const idColumn = table === "snapshots" ? sql.raw("t.id") : sql.raw("t.snapshot_id");
    const rows = await queryRows<{ part: string; n: string | number }>(
      h.db,
      sql`select t.tableoid::regclass::text as part, count(*) as n from ${sql.identifier(table)} t
          join snapshot_keys k on k.snapshot_id = ${idColumn} and k.observed_at = t.observed_at
          where k.external_id = ${externalId} group by 1 order by 1`,
    );
    out[table] = rows.map((r) => `${r.part}:${Number(r.n) > 0 ? "rows" : "none"}`);
  }
  return out;
}

describe("snapshots partitioned by the snapshot's month (migration 0027)", () => {
  it("keeps every snapshot and its workloads, controllers and configs, each in the partition of the snapshot's month", async () => {
    for (const [id, at] of [["snap-2018", OLD], ["snap-now", thisMonth]] as const) {
      const m = monthName(at);
      expect(await placement(id)).toEqual({
        snapshots: [`snapshots_p${m}:rows`],
        snapshot_workloads: [`snapshot_workloads_p${m}:rows`],
        snapshot_controllers: [`snapshot_controllers_p${m}:rows`],
        snapshot_configs: [`snapshot_configs_p${m}:rows`],
      });
    }
    // The same rows as the kubectl output gives, with the snapshot's time copied into each.
    const event = clusterSnapshot(kubectlList(), { environment: "production", id: "x", observedAt: OLD });
    const [counts] = await queryRows<{ w: number | string; c: number | string; k: number | string; mismatched: number | string }>(
      h.db,
      sql`select (select count(*) from snapshot_workloads w join snapshots s on s.id = w.snapshot_id where s.external_id = 'snap-2018') as w,
                 (select count(*) from snapshot_controllers c join snapshots s on s.id = c.snapshot_id where s.external_id = 'snap-2018') as c,
                 (select count(*) from snapshot_configs k join snapshots s on s.id = k.snapshot_id where s.external_id = 'snap-2018') as k,
                 (select count(*) from snapshot_workloads w join snapshots s on s.id = w.snapshot_id where w.observed_at <> s.observed_at) as mismatched`,
    );
    expect(Number(counts?.w)).toBe(event.workloads.reduce((n, w) => n + w.containers.length, 0));
    expect(Number(counts?.c)).toBe(event.controllers?.length);
    expect(Number(counts?.k)).toBe(event.configs?.length);
    expect(Number(counts?.w)).toBeGreaterThan(0);
    expect(Number(counts?.mismatched)).toBe(0);
    // Partitions exist from the oldest snapshot's month to three months ahead, and are listed.
    const parts = (await listPartitions(h.db)).filter((p) => p.table === "snapshot_workloads");
    expect(parts[0]?.name).toBe("snapshot_workloads_p2018m11");
    expect(parts.some((p) => p.name === "snapshot_workloads_default")).toBe(true);
  });

  it("stores one snapshot per sender and id: a resend is skipped, another sender's snapshot with the same id is its own", async () => {
    const again = clusterSnapshot(kubectlList(), { environment: "production", id: "snap-now", observedAt: thisMonth });
    // The ledger had not seen it (it was stored before 0027 by SQL), but the projection holds its key: skipped.
    expect(await send([again])).toMatchObject({ accepted: 1 });
    expect(await send([again])).toMatchObject({ duplicates: 1 });
    // Another sender's snapshot with the same id is its own observation (the ledger refuses a
    // second delivery of an event id from any sender, so it is written here as a projection would).
    const other = await queryRows<{ id: number | string }>(
      h.db,
      sql`insert into snapshots (external_id, environment, observed_at, source_key, source_keys)
          values ('snap-now', 'production', ${thisMonth}::timestamptz, 'token:cluster-b', '{token:cluster-b}') returning id`,
    );
    expect(other).toHaveLength(1);
    const rows = await queryRows<{ source_key: string; n: number | string }>(
      h.db,
      sql`select source_key, count(*) as n from snapshots where external_id = 'snap-now' group by 1 order by 1`,
    );
    expect(rows.map((r) => [r.source_key, Number(r.n)])).toEqual([["cli", 1], ["token:cluster-b", 1]]);
    const [keys] = await queryRows<{ n: number | string }>(h.db, sql`select count(*) as n from snapshot_keys where external_id = 'snap-now'`);
    expect(Number(keys?.n)).toBe(2);
  });

  it("refuses a second copy of a snapshot from any writer, not only the projection: the row is skipped, its workloads cannot reference it", async () => {
    const inserted = await queryRows<{ id: number | string }>(
      h.db,
      sql`insert into snapshots (external_id, environment, observed_at, source_key) values ('snap-2018', 'production', ${OLD}::timestamptz, 'cli') returning id`,
    );
    expect(inserted).toEqual([]);
    const [n] = await queryRows<{ n: number | string }>(h.db, sql`select count(*) as n from snapshots where external_id = 'snap-2018'`);
    expect(Number(n?.n)).toBe(1);
    // A workload row must name a stored snapshot and its time.
    const [snap] = await queryRows<{ id: number | string }>(h.db, sql`select id from snapshots where external_id = 'snap-2018'`);
    const refused = await h.db
      .execute(sql`insert into snapshot_workloads (snapshot_id, observed_at, namespace, kind, name, container, image_ref)
        values (${Number(snap?.id)}, ${thisMonth}::timestamptz, 'shop', 'Deployment', 'x', 'x', 'ghcr.io/acme/x:1')`)
      .then(() => null, (e: { cause?: { code?: string; constraint?: string } }) => e.cause);
    expect(refused).toMatchObject({ code: "23503" });
  });

  it("reads the environment's state at a time from the snapshot of its month, as before", async () => {
    const [snap] = await queryRows<{ id: number | string }>(h.db, sql`select id from snapshots where external_id = 'snap-2018'`);
    const state = await environmentStateAt(h.db, "production", new Date("2019-01-01T00:00:00Z"));
    expect(state.snapshot?.id).toBe(Number(snap?.id));
    expect(state.snapshot?.observedAt).toBe(OLD);
  });

  it("deletes a snapshot with its rows and frees its key, so the same snapshot can be stored again", async () => {
    await h.db.execute(sql`delete from snapshots where external_id = 'snap-2018'`);
    const [left] = await queryRows<{ w: number | string; k: number | string }>(
      h.db,
      sql`select (select count(*) from snapshot_workloads where observed_at = ${OLD}::timestamptz) as w, (select count(*) from snapshot_keys where external_id = 'snap-2018') as k`,
    );
    expect([Number(left?.w), Number(left?.k)]).toEqual([0, 0]);
  });

  it("finds a snapshot's rows by its month when Postgres holds a time finer than a JS Date (the last microsecond of a month)", async () => {
    const at = "2025-01-31T23:59:59.999999Z";
    const [snap] = await queryRows<{ id: number | string; observed_at: Date }>(
      h.db,
      sql`insert into snapshots (external_id, environment, observed_at, source_key) values ('snap-edge', 'production', ${at}::timestamptz, 'cli') returning id, observed_at`,
    );
    await h.db.execute(sql`insert into snapshot_workloads (snapshot_id, observed_at, namespace, kind, name, container, image_ref)
      values (${Number(snap?.id)}, ${at}::timestamptz, 'shop', 'Deployment', 'edge', 'edge', 'ghcr.io/acme/edge:1')`);
    // The time as a reader holds it: milliseconds only, still January.
    expect(new Date(snap?.observed_at ?? 0).toISOString()).toBe("2025-01-31T23:59:59.999Z");
    const [found] = await queryRows<{ n: number | string }>(
      h.db,
      sql`select count(*) as n from snapshot_workloads where snapshot_id = ${Number(snap?.id)} and ${withinMonths(sql`observed_at`, [new Date(snap?.observed_at ?? 0)])}`,
    );
    expect(Number(found?.n)).toBe(1);
  });

  it("creates the snapshot tables' partitions ahead with the others", async () => {
    await ensurePartitions(h.db);
    const ahead = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 3, 1)).toISOString();
    const names = new Set((await listPartitions(h.db)).map((p) => p.name));
    for (const t of ["snapshots", "snapshot_workloads", "snapshot_controllers", "snapshot_configs"]) expect(names.has(`${t}_p${monthName(ahead)}`)).toBe(true);
  });
});
