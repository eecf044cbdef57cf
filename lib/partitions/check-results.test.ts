import { gunzipSync, gzipSync } from "node:zlib";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { openUpgradeDatabase, type UpgradeDatabase } from "@/lib/testing/upgrade-database";
import { storeCheckSummaries } from "../evaluation/gates";
import { archiveBefore, restoreArchive, verifyArchiveFile } from "./archive";
import { ensurePartitions, listPartitions } from "./maintain";

/**
 * Migration 0025 on a database holding check results of deployments made in 2018 and 2019 (the
 * embedded one, or a new database on DATABASE_URL's server): the results are kept, each in the
 * partition of its deployment's month, and follow the deployment when its time moves.
 */
let db: UpgradeDatabase;
let h: DatabaseHandle;

const deployedAt = { "dep-a": "2018-11-15T10:00:00Z", "dep-b": "2019-06-10T08:00:00Z" };
const rules = ["gate.approval", "gate.provenance", "image.sha-tag"];

beforeAll(async () => {
  db = await openUpgradeDatabase("checkparts", "0025");
  h = db.handle;
  await db.migrateBefore();
  for (const [externalId, at] of Object.entries(deployedAt)) {
    await h.db.execute(sql`insert into deployments (external_id, service, environment, image_ref, deployed_at, source_updated_at)
      values (${externalId}, 'svc', 'production', 'ghcr.io/acme/svc:1', ${at}::timestamptz, ${at}::timestamptz)`);
    await h.db.execute(sql`insert into check_results (deployment_id, rule_id, result, evidence, policy_version, evaluated_at)
      select d.id, r, case when r = 'gate.approval' then 'fail' else 'pass' end, '{"reason": "x"}'::jsonb, 'v1', now()
      from deployments d cross join unnest(${sql.param(rules)}::text[]) r where d.external_id = ${externalId}`);
  }
  await db.migrateAll();
}, 120_000);

afterAll(async () => db?.close());

const placed = () =>
  queryRows<{ external_id: string; rule_id: string; result: string; part: string; same: boolean }>(
    h.db,
    sql`select d.external_id, c.rule_id, c.result, c.tableoid::regclass::text as part, c.deployed_at = d.deployed_at as same
        from check_results c join deployments d on d.id = c.deployment_id order by 1, 2`,
  );

describe("check_results partitioned by the deployment's month (migration 0025)", () => {
  it("keeps every result, each in the partition of its deployment's month, with the deployment's time", async () => {
    const [kind] = await queryRows<{ relkind: string }>(h.db, sql`select relkind::text from pg_class where relname = 'check_results'`);
    expect(kind?.relkind).toBe("p");
    const rows = await placed();
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.external_id === "dep-a").map((r) => r.part)).toEqual(Array(3).fill("check_results_p2018m11"));
    expect(rows.filter((r) => r.external_id === "dep-b").map((r) => r.part)).toEqual(Array(3).fill("check_results_p2019m06"));
    expect(rows.every((r) => r.same)).toBe(true);
    expect(rows.find((r) => r.external_id === "dep-a" && r.rule_id === "gate.approval")?.result).toBe("fail");
  });

  it("has next months' partitions created ahead by the server's maintenance, and lists them", async () => {
    await ensurePartitions(h.db);
    const now = new Date();
    const m = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1));
    const ahead = `check_results_p${m.getUTCFullYear()}m${String(m.getUTCMonth() + 1).padStart(2, "0")}`;
    const parts = await listPartitions(h.db);
    expect(parts.filter((p) => p.table === "check_results").map((p) => p.name)).toEqual(expect.arrayContaining([ahead, "check_results_p2018m11", "check_results_default"]));
  });

  it("moves a deployment's results to its new month when a later delivery moves its time earlier", async () => {
    await h.db.execute(sql`update deployments set deployed_at = '2019-05-31T23:00:00Z' where external_id = 'dep-b'`);
    const rows = (await placed()).filter((r) => r.external_id === "dep-b");
    expect(rows.map((r) => r.part)).toEqual(Array(3).fill("check_results_p2019m05"));
    expect(rows.every((r) => r.same)).toBe(true);
    // The summaries (and every reader) find them by (id, deployed_at).
    const [dep] = await queryRows<{ id: string | number }>(h.db, sql`select id from deployments where external_id = 'dep-b'`);
    await storeCheckSummaries(h.db, [Number(dep?.id)]);
    const [summary] = await queryRows<{ rules: string[] }>(h.db, sql`select rules from check_summaries where deployment_id = ${Number(dep?.id)}`);
    expect(summary?.rules).toEqual(rules);
  });

  it("archives the months wholly before the cutoff as files that verify, and restores them", async () => {
    const out = path.join(db.tmp, "archive");
    const results = await archiveBefore(h.db, new Date("2019-01-01T00:00:00Z"), out, null);
    const checks = results.filter((r) => r.partition.startsWith("check_results"));
    expect(checks.map((r) => [r.partition, r.entries])).toEqual([
      ["check_results_p2018m11", 3],
      ["check_results_p2018m12", 0],
    ]);
    expect((await placed()).map((r) => r.external_id)).toEqual(Array(3).fill("dep-b"));
    expect((await listPartitions(h.db)).map((p) => p.name)).not.toContain("check_results_p2018m11");
    // Not created again by the maintenance while archived.
    await ensurePartitions(h.db);
    expect((await listPartitions(h.db)).map((p) => p.name)).not.toContain("check_results_p2018m11");
    const file = checks[0]?.file ?? "";
    const check = await verifyArchiveFile(file, null);
    expect(check).toMatchObject({ ok: true, problem: null });
    const [record] = await queryRows<{ chain: string; file_sha256: string }>(h.db, sql`select chain, file_sha256 from chain_archives where partition = 'check_results_p2018m11'`);
    expect(record).toEqual({ chain: "checks", file_sha256: check.sha256 });
    // A changed result does not verify, and is not restored.
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    lines[1] = (lines[1] ?? "").replace('"fail"', '"pass"');
    const forged = path.join(db.tmp, "forged.custody-archive.jsonl.gz");
    writeFileSync(forged, gzipSync(lines.join("\n")));
    expect((await verifyArchiveFile(forged, null)).ok).toBe(false);
    await expect(restoreArchive(h.db, forged, null)).rejects.toThrow(/does not verify/);
    await restoreArchive(h.db, file, null);
    const rows = (await placed()).filter((r) => r.external_id === "dep-a");
    expect(rows.map((r) => [r.rule_id, r.result, r.part])).toEqual(rules.map((r) => [r, r === "gate.approval" ? "fail" : "pass", "check_results_p2018m11"]));
    await expect(restoreArchive(h.db, file, null)).rejects.toThrow(/already in the database/);
  });

  it("deletes a deployment's results with it", async () => {
    await h.db.execute(sql`delete from deployments where external_id = 'dep-a'`);
    expect((await placed()).map((r) => r.external_id)).toEqual(Array(3).fill("dep-b"));
  });
});
