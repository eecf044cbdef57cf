import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { requirePostgres } from "@/lib/testing/requires";
import { migrate } from "./migrate";

// Several server instances starting at once against one empty Postgres (a rolling deploy's first
// release): this needs a real server (PGlite is one process), skipped and said so without one.
const serverUrl = requirePostgres(import.meta.filename, "three instances migrating one Postgres at once") ?? "";
const name = `custody_migrate_race_${process.pid}_${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  if (!serverUrl) return;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe.skipIf(!serverUrl)("migrate() at server start", () => {
  it("lets three instances migrate one empty Postgres at the same time: one applies, the others wait and find nothing to do", async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const handles = await Promise.all([1, 2, 3].map(() => openDatabase({ url: url.toString() })));
    try {
      await Promise.all(handles.map((h) => migrate(h)));
      const check = new pg.Client({ connectionString: url.toString() });
      await check.connect();
      const { rows } = await check.query<{ n: number; distinct_hashes: number }>(
        "select count(*)::int as n, count(distinct hash)::int as distinct_hashes from drizzle.__drizzle_migrations",
      );
      await check.end();
      expect(rows[0]?.n).toBeGreaterThan(0);
      expect(rows[0]?.n).toBe(rows[0]?.distinct_hashes);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
