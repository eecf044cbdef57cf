import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { AppError } from "../errors";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { migrationSnapshot, migrationsOf, pipelineMigrations, readRows } from "../ingest/migrations/history";

const dir = path.join(__dirname, "..", "ingest", "migrations", "fixtures");
const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
/** The first n data rows of a CSV fixture (header kept): the table as it stood earlier. */
const firstRows = (f: string, n: number) => read(f).trim().split("\n").slice(0, n + 1).join("\n");

let h: DatabaseHandle;
const send = async (body: unknown) => {
  await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
};
const manual = (where = {}) =>
  h.db
    .select()
    .from(findings)
    .where(and(eq(findings.ruleId, "drift.manual-migration"), ...Object.entries(where).map(([k, v]) => eq(findings[k as "status"], v as string))));

beforeAll(async () => {
  h = await createTestDatabase();
}, 60_000);
afterAll(async () => h?.close());

describe("history tables as each tool stores them", () => {
  it("reads Flyway's flyway_schema_history (psql --csv), leaving out its schema marker, with installed_by", () => {
    const { migrations, notes } = migrationsOf("flyway", readRows(read("flyway_schema_history.csv")));
    expect(notes).toEqual([expect.stringContaining("SCHEMA marker")]);
    expect(migrations.map((m) => m.id)).toEqual(["1", "2", "2.1"]);
    expect(migrations[2]).toEqual({
      id: "2.1",
      checksum: "575373102",
      description: "hotfix order index",
      script: "V2.1__hotfix_order_index.sql",
      appliedAt: "2026-11-18T22:41:07.551Z",
      appliedBy: "alice",
      success: true,
    });
  });

  it("reads Liquibase's DATABASECHANGELOG (json_agg) keyed file::id::author, saying MARK_RAN", () => {
    const { migrations } = migrationsOf("liquibase", readRows(read("databasechangelog.json")));
    expect(migrations.map((m) => m.id)).toEqual(["db/changelog/db.changelog-master.yaml::1::maria", "db/changelog/db.changelog-master.yaml::2::maria", "db/changelog/db.changelog-master.yaml::3::tomasz"]);
    expect(migrations[2]).toMatchObject({ checksum: "9:b0e64c2d19f3a7584e2c6d1a9f8b3e77", description: "createIndex indexName=customer_email_idx, tableName=customer, MARK_RAN", appliedAt: "2026-11-19T07:55:42.030Z" });
    expect(migrations[2]?.appliedBy).toBeUndefined();
  });

  it("reads Prisma's _prisma_migrations, leaving out the attempt marked rolled back", () => {
    const { migrations, notes } = migrationsOf("prisma", readRows(read("_prisma_migrations.csv")));
    expect(notes).toEqual([expect.stringContaining("20261118224100_hotfix_index marked rolled back")]);
    expect(migrations.map((m) => [m.id, m.appliedAt, m.success])).toEqual([
      ["20261102101500_init", "2026-11-02T10:20:04.512Z", true],
      ["20261109083000_add_status", "2026-11-09T08:35:51.207Z", true],
      ["20261118224100_hotfix_index", "2026-11-18T22:45:02.641Z", true],
    ]);
    expect(migrations[0]?.checksum).toBe("158aca366d5122cdb35fbe7d103cc6da2d477f94d04f3ca57fbe35c747f67c4e");
  });

  it("reads drizzle's __drizzle_migrations (Custody's own), Rails' schema_migrations and Alembic's alembic_version", () => {
    const drizzle = migrationsOf("drizzle", readRows(read("__drizzle_migrations.csv"))).migrations;
    expect(drizzle.length).toBeGreaterThanOrEqual(20);
    expect(drizzle[0]).toEqual({ id: "1795820580757", checksum: "a4477b9c59f1bfd0b2827bc1fcbce7b08dab48eab0d31e56c70fd258525a7177" });
    expect(migrationsOf("rails", readRows(read("schema_migrations.csv"))).migrations.map((m) => m.id)).toEqual(["20261102101500", "20261109083000", "20261118224100"]);
    expect(migrationsOf("alembic", readRows(read("alembic_version.csv"))).migrations).toEqual([{ id: "4b2e9d1c7a05" }]);
  });

  it("refuses another tool's table, naming the query that reads the right one", () => {
    expect(() => migrationsOf("flyway", readRows(read("_prisma_migrations.csv")))).toThrow(/no column version.*select installed_rank, version/);
    expect(() => migrationsOf("flyway", readRows(read("_prisma_migrations.csv")))).toThrow(AppError);
    expect(() => readRows("[1, 2]")).toThrow(/JSON array of rows/);
    expect(() => pipelineMigrations("rails", read("schema_migrations.csv"), { environment: "production", database: "orders", pipeline: { provider: "github-actions", runId: "1" }, recordedAt: "2026-11-02T10:16:00Z", since: "2026-11-02T10:00:00Z" })).toThrow(/--before/);
  });
});

describe("drift.manual-migration", () => {
  const flyway = (observedAt: string, rows = 4) => migrationSnapshot("flyway", firstRows("flyway_schema_history.csv", rows), { environment: "production", database: "orders", observedAt }).event;
  const pipeline = (runId: string, after: number, before: number, recordedAt: string) =>
    pipelineMigrations("flyway", firstRows("flyway_schema_history.csv", after), {
      environment: "production",
      database: "orders",
      pipeline: { provider: "github-actions", runId },
      recordedAt,
      before: firstRows("flyway_schema_history.csv", before),
      service: "orders",
    }).events;

  it("records what each pipeline run applied: the table after its migrate step, less what was there before", () => {
    expect(pipeline("101", 2, 1, "2026-11-02T10:16:00Z").map((e) => e.migration.id)).toEqual(["1"]);
    expect(pipeline("102", 3, 2, "2026-11-09T08:32:00Z").map((e) => e.migration.id)).toEqual(["2"]);
  });

  it("opens one finding for the migration no pipeline applied, naming installed_by, however many snapshots show it", async () => {
    await send({ events: [...pipeline("101", 2, 1, "2026-11-02T10:16:00Z"), ...pipeline("102", 3, 2, "2026-11-09T08:32:00Z")] });
    await send(flyway("2026-11-19T06:00:00Z"));
    await send(flyway("2026-11-19T07:00:00Z"));
    const open = await manual({ status: "open" });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ subjectKey: "production/database/orders/flyway/2.1", actor: "alice", environment: "production", severity: "high" });
    expect(open[0]?.summary).toContain("Flyway migration 2.1 (hotfix order index) in orders (production) was applied by alice at 2026-11-18T22:41:07.551Z with no pipeline record");
    expect(open[0]?.lastSeenAt.toISOString()).toBe("2026-11-19T07:00:00.000Z");
    // A cluster snapshot of the same environment says nothing about databases: the finding stays open.
    await send({
      id: "k8s-after-migration", type: "snapshot", occurredAt: "2026-11-19T07:30:00Z", environment: "production",
      workloads: [{ namespace: "shop", kind: "Deployment", name: "orders", containers: [{ name: "orders", image: `ghcr.io/acme/orders@sha256:${"cd".repeat(32)}`, digest: `sha256:${"cd".repeat(32)}` }] }],
    });
    expect(await manual({ status: "open" })).toHaveLength(1);
  });

  it("still fails when a pipeline applied that migration with another checksum", async () => {
    const [other] = pipeline("103", 4, 3, "2026-11-20T09:00:00Z");
    if (!other) throw new Error("no event");
    await send({ ...other, id: "migration:edited-after", migration: { ...other.migration, checksum: "-1734092866", appliedBy: "orders_migrator" } });
    const open = await manual({ status: "open" });
    expect(open).toHaveLength(1);
    expect(open[0]?.summary).toContain("has checksum 575373102, but the pipeline applied it with -1734092866");
  });

  it("resolves when the database no longer reports it", async () => {
    await send(flyway("2026-11-21T06:00:00Z", 3));
    expect((await manual()).map((f) => [f.status, f.resolution])).toEqual([["resolved", expect.stringContaining("no longer reports it")]]);
  });

  it("judges a Flyway repeatable migration run several times once: manual when any of its runs was", async () => {
    const header = read("flyway_schema_history.csv").split("\n")[0];
    const rows = [
      `1,,refresh order views,SQL,R__refresh_order_views.sql,-1120581716,orders_migrator,2026-11-02 10:15:31.9,12,t`,
      `2,,refresh order views,SQL,R__refresh_order_views.sql,387126001,bob,2026-11-12 19:02:44.1,15,t`,
    ];
    const at = "2026-11-20T06:00:00Z";
    const event = migrationSnapshot("flyway", [header, ...rows].join("\n"), { environment: "production", database: "views", observedAt: at }).event;
    const recorded = pipelineMigrations("flyway", [header, rows[0]].join("\n"), { environment: "production", database: "views", pipeline: { provider: "github-actions", runId: "7" }, recordedAt: "2026-11-02T10:16:00Z", since: "2026-11-02T10:00:00Z" }).events;
    await send({ events: [...recorded, event] });
    const views = (await manual({ status: "open" })).filter((f) => f.subjectKey === "production/database/views/flyway/R__refresh_order_views.sql");
    expect(views.map((f) => f.actor)).toEqual(["bob"]);
  });

  it("judges the latest snapshot whatever the order: a pipeline record that arrives late resolves, an older snapshot changes nothing", async () => {
    const prisma = (observedAt: string) => migrationSnapshot("prisma", read("_prisma_migrations.csv"), { environment: "production", database: "shop", observedAt }).event;
    const record = pipelineMigrations("prisma", read("_prisma_migrations.csv"), {
      environment: "production",
      database: "shop",
      pipeline: { provider: "gitlab", runId: "88" },
      recordedAt: "2026-11-18T22:46:00Z",
      since: "2026-11-18T22:40:00Z",
    }).events;
    expect(record.map((e) => e.migration.id)).toEqual(["20261118224100_hotfix_index"]);
    await send(prisma("2026-11-19T08:00:00Z"));
    const shop = async () => (await manual()).filter((f) => f.subjectKey.startsWith("production/database/shop/")).map((f) => [f.subjectKey.split("/").pop(), f.status, f.actor]);
    expect(await shop()).toEqual([
      ["20261102101500_init", "open", null],
      ["20261109083000_add_status", "open", null],
      ["20261118224100_hotfix_index", "open", null],
    ]);
    await send({ events: record });
    await send(prisma("2026-11-19T07:00:00Z"));
    expect((await shop()).find((f) => f[0] === "20261118224100_hotfix_index")?.[1]).toBe("resolved");
    expect((await shop()).filter((f) => f[1] === "open")).toHaveLength(2);
  });
});
