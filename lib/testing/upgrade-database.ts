import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";

/** A database on which a test upgrades through one migration, with rows stored before it. */
export interface UpgradeDatabase {
  handle: DatabaseHandle;
  /** A folder of the test's own (archives, forged files), removed by close(). */
  tmp: string;
  /** Applies the migrations before the one under test, as a server of that time had them. */
  migrateBefore(): Promise<void>;
  /** Applies every migration, the one under test included. */
  migrateAll(): Promise<void>;
  /** Closes the handle, removes `tmp` and drops the database it created on the server. */
  close(): Promise<void>;
}

async function withMigrations<T>(folder: string, fn: () => Promise<T>): Promise<T> {
  const prior = process.env.CUSTODY_MIGRATIONS_DIR;
  process.env.CUSTODY_MIGRATIONS_DIR = folder;
  try {
    return await fn();
  } finally {
    if (prior === undefined) delete process.env.CUSTODY_MIGRATIONS_DIR;
    else process.env.CUSTODY_MIGRATIONS_DIR = prior;
  }
}

/**
 * The embedded database in memory, or a new database `custody_<name>_…` on DATABASE_URL's server;
 * `firstNew` is the tag prefix of the migration under test ("0027"): migrateBefore() applies a copy
 * of db/migrations and its journal without it and the later ones.
 */
export async function openUpgradeDatabase(name: string, firstNew: string): Promise<UpgradeDatabase> {
  const full = path.join(process.cwd(), "db", "migrations");
  const tmp = mkdtempSync(path.join(os.tmpdir(), `custody-${name}-`));
  const before = path.join(tmp, `migrations-before-${firstNew}`);
  mkdirSync(path.join(before, "meta"), { recursive: true });
  for (const f of readdirSync(full)) if (f.endsWith(".sql") && f < firstNew) copyFileSync(path.join(full, f), path.join(before, f));
  const journal = JSON.parse(readFileSync(path.join(full, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < firstNew);
  writeFileSync(path.join(before, "meta", "_journal.json"), JSON.stringify(journal));

  const serverUrl = process.env.DATABASE_URL;
  const dbName = `custody_${name}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  let handle: DatabaseHandle;
  if (serverUrl) {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    handle = await openDatabase({ url: url.toString() });
  } else {
    handle = await openDatabase({ memory: true });
  }
  return {
    handle,
    tmp,
    migrateBefore: () => withMigrations(before, () => migrate(handle)),
    migrateAll: () => withMigrations(full, () => migrate(handle)),
    close: async () => {
      await handle.close();
      rmSync(tmp, { recursive: true, force: true });
      if (serverUrl) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    },
  };
}
