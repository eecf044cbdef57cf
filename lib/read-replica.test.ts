import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { onPostgresRun } from "@/lib/testing/requires";
import { lagNotice, readLagNotice, replicaLagSeconds } from "./read-replica";

let h: DatabaseHandle & { url?: string };
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

describe("reading dashboards from DATABASE_READ_URL", () => {
  it("measures no lag on a primary, and pages say nothing when no replica is configured or it keeps up", async () => {
    expect(await replicaLagSeconds(h.db)).toBe(0);
    expect(await readLagNotice(undefined, async () => h.db)).toBeNull();
    expect(await readLagNotice("postgres://replica.example/custody", async () => h.db)).toBeNull();
  });

  it.runIf(onPostgresRun(import.meta.filename, "a second connection to the read URL"))("reads the same evidence through a second connection to the read URL (a replica or the primary itself)", async () => {
    await h.db.execute(sql`insert into environments (name, rank, is_production) values ('replica-check', 9, false) on conflict (name) do nothing`);
    const reader = await openDatabase({ url: h.url ?? "" });
    try {
      expect(await queryRows(reader.db, sql`select name from environments where name = 'replica-check'`)).toEqual([{ name: "replica-check" }]);
    } finally {
      await reader.close();
    }
  });

  it("says how far behind a lagging replica is, and when its lag cannot be measured", async () => {
    expect(lagNotice(3)).toBeNull();
    expect(lagNotice(42)).toBe("Figures on this page come from a read replica 42 s behind the primary: the latest evidence may be missing.");
    expect(lagNotice(900)).toContain("15 min behind");
    expect(lagNotice(3 * 3600)).toContain("3 h behind");
    expect(lagNotice(null)).toContain("has not replayed anything");
    expect(await readLagNotice("postgres://replica.example/custody", () => Promise.reject(new Error("connection refused")))).toBe(
      "Figures on this page come from a read replica whose lag could not be measured.",
    );
  });
});
