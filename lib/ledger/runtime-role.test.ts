import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { createTestDatabase } from "@/db/testing";
import { onPostgresRun } from "@/lib/testing/requires";
import { ingestEvents } from "../ingest/events-api";
import { verifyLedger } from "./ledger";

/**
 * The server logs in as a member of custody_runtime (migration 0011): it may append to the
 * evidence tables and read them, and nothing else. Each way of rewriting the ledger is tried as
 * that role on a real Postgres and must be refused by Postgres itself. (The embedded trial has one
 * role and is not covered: it is a single-user database on the operator's machine.)
 */
const serverUrl = onPostgresRun(import.meta.filename, "the runtime database role (the embedded database has one role)") ? process.env.DATABASE_URL : undefined;
const role = `custody_app_test_${randomBytes(4).toString("hex")}`;
let owner: DatabaseHandle & { url?: string };
let runtime: DatabaseHandle;
let client: pg.Client;

describe.skipIf(!serverUrl)("the runtime database role", () => {
  beforeAll(async () => {
    owner = await createTestDatabase();
    await owner.db.execute(sql.raw(`CREATE ROLE ${role} LOGIN IN ROLE custody_runtime`));
    const url = new URL(owner.url ?? "");
    url.username = role;
    runtime = await openDatabase({ url: url.toString() });
    client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await runtime?.close();
    await owner?.close();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it("starts on a migrated database without creating anything, and ingests", async () => {
    await migrate(runtime);
    const body = { events: [1, 2, 3].map((i) => ({ id: `role-${i}`, type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" })) };
    expect(await ingestEvents(runtime.db, body, JSON.stringify(body))).toEqual({ accepted: 3, duplicates: 0 });
    expect(await verifyLedger(runtime.db)).toMatchObject({ ok: true, events: 3 });
  });

  // The parents, a month partition made by the migration, the default partition and the archive records.
  const month = `ledger_events_p${new Date().toISOString().slice(0, 4)}m${new Date().toISOString().slice(5, 7)}`;
  const evidence = ["ledger_events", "audit_log", "ledger_checkpoints", "ledger_tree_nodes", month, "audit_log_default", "chain_archives"];
  const attempts = (t: string) => [
    `UPDATE ${t} SET ${t === "ledger_checkpoints" ? "root_hash" : t === "chain_archives" ? "last_hash" : "hash"} = 'x'`,
    `DELETE FROM ${t}`,
    `TRUNCATE ${t}`,
    `ALTER TABLE ${t} DISABLE TRIGGER USER`,
    `ALTER TABLE ${t} DISABLE TRIGGER ALL`,
    `ALTER TABLE ${t} ADD COLUMN forged text`,
    `DROP TABLE ${t}`,
  ];

  for (const table of evidence) {
    it(`cannot update, delete, truncate, alter or disable the triggers of ${table}`, async () => {
      for (const statement of attempts(table)) {
        await expect(client.query(statement), statement).rejects.toMatchObject({ code: "42501" });
      }
    });
  }

  it("asks for next months' partitions through the owner's function, and reads a partition only through its parent", async () => {
    await expect(client.query("select custody_ensure_partitions(6)")).resolves.toMatchObject({ rowCount: 1 });
    const ahead = await client.query<{ n: string }>("select count(*) as n from pg_class where relname like 'ledger_events_p%'");
    expect(Number(ahead.rows[0]?.n)).toBeGreaterThanOrEqual(7);
    await expect(client.query(`SELECT * FROM ${month}`)).rejects.toMatchObject({ code: "42501" });
    await expect(client.query("select custody_create_month_partition('ledger_events', '2001-01-01')")).rejects.toMatchObject({ code: "42501" });
    await expect(client.query(`CREATE TABLE ledger_events_p2001m01 PARTITION OF ledger_events FOR VALUES FROM ('2001-01-01') TO ('2001-02-01')`)).rejects.toMatchObject({ code: "42501" });
  });

  it("cannot drop the append-only trigger, switch triggers off for its session, or grant itself more", async () => {
    for (const statement of [
      "DROP TRIGGER ledger_events_append_only ON ledger_events",
      "SET session_replication_role = replica",
      "ALTER FUNCTION custody_refuse_change() RENAME TO gone",
    ]) {
      await expect(client.query(statement), statement).rejects.toMatchObject({ code: "42501" });
    }
    // Without the grant option Postgres only warns "no privileges were granted"; the update still fails.
    await client.query("GRANT UPDATE ON ledger_events TO custody_runtime").catch(() => undefined);
    await expect(client.query("UPDATE ledger_events SET status = 'used'")).rejects.toMatchObject({ code: "42501" });
    expect(await verifyLedger(runtime.db)).toMatchObject({ ok: true, events: 3 });
  });
});
