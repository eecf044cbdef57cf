import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./testing";
import { queryRows, type DatabaseHandle } from "./client";
import { environments } from "./schema";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

describe("migrations", () => {
  it("create the ordered environments", async () => {
    const rows = await handle.db.select().from(environments).orderBy(environments.rank);
    expect(rows.map((r) => r.name)).toEqual(["development", "staging", "production"]);
    expect(rows.find((r) => r.name === "production")?.isProduction).toBe(true);
  });

  it("create the named indexes the lookups rely on", async () => {
    const rows = await queryRows<{ indexname: string }>(
      handle.db,
      sql`select indexname from pg_indexes where schemaname = current_schema()`,
    );
    const names = rows.map((r) => r.indexname);
    for (const idx of [
      "deployments_digest_idx",
      "deployments_environment_deployed_at_idx",
      "image_builds_digest_idx",
      "image_builds_commit_sha_idx",
      "pull_requests_merge_commit_sha_idx",
      "snapshots_environment_observed_at_idx",
      "ledger_events_source_delivery_id_idx",
      "ledger_events_received_at_idx",
      "audit_log_at_idx",
    ]) {
      expect(names).toContain(idx);
    }
  });

  it("are idempotent: running the migrator again changes nothing", async () => {
    const { migrate } = await import("./migrate");
    await migrate(handle);
    const rows = await handle.db.select().from(environments);
    expect(rows).toHaveLength(3);
  });
});
