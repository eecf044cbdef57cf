import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";

const sourcedTables = ["commits", "pull_requests", "reviews", "check_runs", "pipeline_runs", "image_builds", "deployments", "attestations", "snapshots"];

/**
 * The benches write their histories in SQL, not through ingestion: make those rows come from the
 * CLI (a sender the default source policy accepts for every fact), as if `custody push` had sent
 * them, so the checks judge the evidence instead of refusing an unknown source. Only in the
 * bench's own database; defaults cost nothing per row.
 */
export async function benchRowsFromCli(db: Database): Promise<void> {
  for (const table of sourcedTables) {
    await db.execute(
      sql.raw(`alter table ${table} alter column source_kind set default 'cli', alter column source_id set default 'cli', alter column source_key set default 'cli'`),
    );
  }
}
