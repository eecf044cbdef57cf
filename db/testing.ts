import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { migrate, migrationsFolder } from "./migrate";
import * as schema from "./schema";

/**
 * What a template database holds beyond the migrations: `key` names it (letters, digits and `_`; it must change
 * whenever what `fill` writes could change, e.g. a hash of the sources), `fill` writes it once.
 */
export interface TestTemplate {
  key: string;
  fill: (db: Database) => Promise<void>;
}

/**
 * Starting an embedded Postgres runs initdb, which takes seconds here; loading a data folder that
 * was initialised and migrated once takes about one. The template is keyed by the migrations'
 * content, so a new migration makes a new template.
 */
async function migratedTemplate(extra?: TestTemplate): Promise<Blob> {
  const file = path.join(os.tmpdir(), `custody-pglite-template-${migrationsHash()}${extra ? `-${extra.key}` : ""}.tar`);
  if (!existsSync(file) && (await buildLock(file))) {
    try {
      await buildTemplateFile(file, extra);
    } finally {
      rmSync(`${file}.lock`, { recursive: true, force: true });
    }
  }
  return new Blob([readFileSync(file)]);
}

/**
 * One test worker builds a template file while the others wait for it (a lock directory; one left by a
 * worker that died is taken over after ten minutes). False when another worker built it meanwhile.
 */
async function buildLock(file: string): Promise<boolean> {
  const lock = `${file}.lock`;
  for (;;) {
    if (existsSync(file)) return false;
    try {
      mkdirSync(lock);
      return true;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function buildTemplateFile(file: string, extra?: TestTemplate): Promise<void> {
  const handle = extra ? await openFromTemplate() : await openDatabase({ memory: true });
  if (!extra) await migrate(handle);
  else await extra.fill(handle.db);
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  const dump = await client.dumpDataDir("none");
  await handle.close();
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
}

async function openFromTemplate(extra?: TestTemplate): Promise<DatabaseHandle> {
  const { PGlite: Pglite } = await import("@electric-sql/pglite");
  const client = await Pglite.create({ loadDataDir: await migratedTemplate(extra) });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  return { db, driver: "pglite", close: () => client.close() };
}

/** The migrations' content hash: a new or edited migration makes a new template. */
function migrationsHash(): string {
  const folder = migrationsFolder();
  const hash = createHash("sha256");
  for (const f of readdirSync(folder).sort()) if (f.endsWith(".sql")) hash.update(readFileSync(path.join(folder, f)));
  hash.update(readFileSync(path.join(folder, "meta", "_journal.json")));
  return hash.digest("hex").slice(0, 16);
}

/** Serialises the creation of a template database between test workers (and parallel suites on one server). */
const TEMPLATE_LOCK = 7_305_241_199;

/**
 * On a Postgres server, running the migrations into every test file's database costs seconds each; copying a
 * database that was migrated once (CREATE DATABASE ... TEMPLATE) costs a fraction of that. The template is
 * named after the migrations' hash and created by the first worker that needs it, under an advisory lock.
 */
async function serverTemplate(serverUrl: string, extra?: TestTemplate): Promise<string> {
  const base = extra ? await serverTemplate(serverUrl) : undefined;
  const name = `custody_test_template_${migrationsHash()}${extra ? `_${extra.key}` : ""}`;
  if (name.length > 63) throw new Error(`template database name too long: ${name}`);
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query("select pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    const exists = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_building_${randomBytes(4).toString("hex")}`;
      await admin.query(base ? `CREATE DATABASE ${building} TEMPLATE ${base}` : `CREATE DATABASE ${building}`);
      const url = new URL(serverUrl);
      url.pathname = `/${building}`;
      const handle = await openDatabase({ url: url.toString() });
      try {
        if (extra) await extra.fill(handle.db);
        else await migrate(handle);
      } finally {
        await handle.close();
      }
      // Renamed only once complete, so an interrupted build never serves as a template.
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    }
  } finally {
    await admin.query("select pg_advisory_unlock($1)", [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
  return name;
}

/**
 * A fresh, migrated database for one test file: a new database on the server named by
 * DATABASE_URL (a copy of a migrated template; dropped afterwards; only databases this helper created are
 * dropped), or an in-memory embedded Postgres when DATABASE_URL is unset.
 */
export async function createTestDatabase(template?: TestTemplate): Promise<DatabaseHandle & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return openFromTemplate(template);
  return createTestDatabaseOn(serverUrl, template);
}

/** A fresh, migrated database on the Postgres server at `serverUrl`, whatever DATABASE_URL says (tests that need a server). */
export async function createTestDatabaseOn(serverUrl: string, template?: TestTemplate): Promise<DatabaseHandle & { url?: string }> {
  const name = await serverTemplate(serverUrl, template);
  const dbName = `custody_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName} TEMPLATE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const handle = await openDatabase({ url: url.toString() });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const drop = new Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await drop.end();
    },
  };
}

/**
 * An embedded data folder at `dataDir` (which must not hold one yet) with the migrated schema, as `custody`
 * leaves it after its first command: loaded from the template in about a second instead of the initdb and
 * migrations of a first start (seconds; tests of the CLI that are not about that first start).
 */
export async function createTestDataDir(dataDir: string): Promise<void> {
  const { PGlite: Pglite } = await import("@electric-sql/pglite");
  mkdirSync(dataDir, { recursive: true });
  const client = await Pglite.create({ dataDir, loadDataDir: await migratedTemplate() });
  await client.close();
}
