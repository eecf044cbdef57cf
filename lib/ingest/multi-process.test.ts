import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { requirePostgres } from "@/lib/testing/requires";
import { evaluationBacklog } from "../evaluation/queue";
import { verifyLedger } from "../ledger/ledger";

const run = promisify(execFile);

/**
 * Several Custody instances share one Postgres; what serialises the ledger must live there. This
 * needs a real server even when the rest of the suite runs embedded (PGlite is one process only).
 */
const serverUrl = requirePostgres(import.meta.filename, "two processes ingesting into one Postgres") ?? "";
let h: DatabaseHandle & { url?: string };
beforeAll(async () => {
  if (!serverUrl) return;
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = serverUrl;
  h = await createTestDatabase();
  if (previous === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = previous;
});
afterAll(async () => h?.close());

describe.skipIf(!serverUrl)("two processes ingesting into one Postgres at once", () => {
  it("keep one valid chain and one copy of each event", async () => {
    const url = h.url;
    if (!url) throw new Error("expected a Postgres test database");
    const worker = path.join(import.meta.dirname, "..", "testing", "ingest-worker.ts");
    const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
    await Promise.all([run(tsx, [worker, url, "a", "15"]), run(tsx, [worker, url, "b", "15"])]);
    const check = await openDatabase({ url });
    try {
      const [{ n } = { n: 0 }] = await check.db.select({ n: count() }).from(ledgerEvents);
      // 15 batches x (10 shared + 10 own) per worker: 150 shared + 2 x 150 own.
      expect(n).toBe(450);
      const v = await verifyLedger(check.db);
      expect(v).toMatchObject({ ok: true, events: 450, firstBadSeq: null });
      // Each process judged the queue (one at a time, by the advisory lock) until nothing was left.
      expect(await evaluationBacklog(check.db)).toEqual({ pending: 0, failed: 0 });
    } finally {
      await check.close();
    }
  });
});
