#!/usr/bin/env node
// The migration entrypoint of the container image (Kubernetes Job): plain JavaScript, so it runs
// inside the standalone output with no TypeScript tooling. Applies db/migrations to DATABASE_URL
// with drizzle-orm's node-postgres migrator, under an advisory lock so concurrent runs take turns.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const LOCK_KEY = 7_305_241_198; // any constant; shared by every Custody migrator

function fail(message) {
  process.stderr.write(`custody migrate: ${message}\n`);
  process.exit(1);
}

// The owner role's URL when the server runs as a separate runtime role (docs/operators.md, "Database roles").
const url = process.env.DATABASE_MIGRATION_URL || process.env.DATABASE_URL;
if (!url) fail("DATABASE_MIGRATION_URL or DATABASE_URL is required (the migrator only runs against Postgres)");
const here = path.dirname(fileURLToPath(import.meta.url));
const folder = process.env.CUSTODY_MIGRATIONS_DIR ?? path.join(here, "..", "db", "migrations");

const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
} catch (error) {
  fail(`cannot reach the database: ${error instanceof Error ? error.message : String(error)}`);
}
try {
  const started = Date.now();
  await client.query("select pg_advisory_lock($1)", [LOCK_KEY]);
  const before = await applied(client);
  await migrate(drizzle(client), { migrationsFolder: folder });
  const after = await applied(client);
  process.stdout.write(
    `${JSON.stringify({ level: "info", time: new Date().toISOString(), msg: "migrations applied", applied: after - before, total: after, durationMs: Date.now() - started })}\n`,
  );
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  await client.query("select pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
  await client.end().catch(() => undefined);
}

async function applied(c) {
  const exists = await c.query("select to_regclass('drizzle.__drizzle_migrations') as t");
  if (exists.rows[0]?.t === null) return 0;
  const r = await c.query("select count(*)::int as n from drizzle.__drizzle_migrations");
  return r.rows[0]?.n ?? 0;
}
