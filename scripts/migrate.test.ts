import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { requirePostgres } from "@/lib/testing/requires";

const run = promisify(execFile);
const script = path.join(import.meta.dirname, "migrate.mjs");
// Migrations in the image run against a real server: the tests that migrate one need it (skipped
// and said so without one); the refusal without a URL needs none.
const serverUrl = requirePostgres(import.meta.filename, "the migration Job against a Postgres server") ?? "";
const created: string[] = [];

async function freshDatabase(server: string): Promise<string> {
  const name = `custody_migrate_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  if (created.length === 0) return;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

const migrateWith = (env: Record<string, string>) =>
  run(process.execPath, [script], { env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("scripts/migrate.mjs (the migration Job's entrypoint)", () => {
  it("refuses to run without DATABASE_MIGRATION_URL or DATABASE_URL, in one line", async () => {
    const r = await migrateWith({});
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("custody migrate: DATABASE_MIGRATION_URL or DATABASE_URL is required (the migrator only runs against Postgres)\n");
  });

  it.skipIf(!serverUrl)("migrates an empty Postgres once, even when two Jobs run at the same time", async () => {
    const url = await freshDatabase(serverUrl);
    const [a, b] = await Promise.all([migrateWith({ DATABASE_URL: url }), migrateWith({ DATABASE_URL: url })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const applied = [a, b].map((r) => (JSON.parse(r.stdout) as { applied: number }).applied).sort();
    expect(applied[0]).toBe(0);
    expect(applied[1]).toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query("select to_regclass('public.ledger_events') as t");
    await client.end();
    expect(tables.rows[0]).toEqual({ t: "ledger_events" });
  });
});
