import { randomBytes } from "node:crypto";
import { openDatabase, type DatabaseHandle } from "./client";
import { migrate } from "./migrate";

/**
 * A fresh, migrated database for one test file: a new database on the server named by
 * DATABASE_URL (dropped afterwards; only databases this helper created are dropped), or an
 * in-memory embedded Postgres when DATABASE_URL is unset.
 */
export async function createTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ memory: true });
    await migrate(handle);
    return handle;
  }
  const name = `custody_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  await migrate(handle);
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const drop = new Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
