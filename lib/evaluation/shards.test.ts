import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase, createTestDatabaseOn } from "@/db/testing";
import { requirePostgres } from "@/lib/testing/requires";
import { generateDemoEvents } from "../demo";
import { ingestEvents } from "../ingest/events-api";
import { shardOf } from "../projections/touched";
import { drainEvaluationQueue, evaluationBacklog, evaluationSettled, setEvaluationMode, setEvaluationShards } from "./queue";

/**
 * CUSTODY_EVALUATION_SHARDS: two `custody worker` processes judge the shards of one queue side by
 * side, and decide what one evaluator decides. Needs a Postgres server (three processes on one
 * database).
 */
const serverUrl = requirePostgres(import.meta.filename, "two custody workers judging the shards of one queue") ?? "";
const onServer = () => createTestDatabaseOn(serverUrl);

/** Six shards put the demo's development, staging and production in three different ones. */
const SHARDS = 6;

let single: DatabaseHandle & { url?: string };
let sharded: DatabaseHandle & { url?: string };
const workers: { child: ChildProcess; out: string[] }[] = [];
beforeAll(async () => {
  if (!serverUrl) return;
  [single, sharded] = await Promise.all([onServer(), onServer()]);
});
afterAll(async () => {
  for (const { child } of workers) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  await Promise.all([single?.close(), sharded?.close()]);
});

const batches = (() => {
  const events = generateDemoEvents().slice(0, 2000);
  const out: string[] = [];
  for (let i = 0; i < events.length; i += 250) out.push(JSON.stringify({ events: events.slice(i, i + 250) }));
  return out;
})();
const ingest = (h: DatabaseHandle, body: string) => ingestEvents(h.db, JSON.parse(body) as unknown, body);

/** What the evaluator decided, by natural keys, so two databases loaded alike can be compared. */
const judged = async (h: DatabaseHandle) => {
  const q = (text: string) => queryRows(h.db, sql.raw(text));
  return {
    results: await q("select d.external_id, c.rule_id, c.result, c.evidence from check_results c join deployments d on d.id = c.deployment_id order by 1, 2"),
    verdicts: await q("select d.external_id, s.rules, s.results from check_summaries s join deployments d on d.id = s.deployment_id order by 1"),
    findings: await q("select rule_id, subject_key, status, environment, service, summary, resolution, opened_at, last_seen_at, resolved_at from findings order by rule_id, subject_key, opened_at"),
    checkRollups: await q("select * from check_rollups_daily order by day, environment, rule_id"),
    deploymentRollups: await q("select * from deployment_rollups_daily order by day, environment"),
  };
};

async function drainedByWorkers(h: DatabaseHandle): Promise<void> {
  const deadline = Date.now() + 240_000;
  while ((await evaluationBacklog(h.db)).pending > 0) {
    if (Date.now() > deadline) throw new Error("the workers did not judge the queue");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startWorker(url: string): { child: ChildProcess; out: string[]; started: Promise<void> } {
  const child = spawn(process.execPath, [path.join(process.cwd(), "bin", "custody.mjs"), "worker"], {
    env: { ...process.env, DATABASE_URL: url, CUSTODY_EVALUATION_SHARDS: String(SHARDS), CUSTODY_LOG_LEVEL: "info", VITEST: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const out: string[] = [];
  let buffered = "";
  const started = new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      out.push(...lines);
      if (out.some((l) => l.includes("evaluation worker started"))) resolve();
    });
  });
  const w = { child, out, started };
  workers.push(w);
  return w;
}

/** The rows each shard judged in a worker, from the line it logs when it stops. */
function judgedByShard(out: string[]): Record<string, number> {
  const line = out.find((l) => l.includes("evaluation worker stopped"));
  if (!line) throw new Error(`the worker did not report what it judged:\n${out.join("\n")}`);
  return (JSON.parse(line) as { judged: Record<string, number> }).judged;
}

describe.skipIf(!serverUrl)("the evaluation queue in shards (CUSTODY_EVALUATION_SHARDS)", () => {
  it("is judged by two worker processes, each taking shards, with the same results, findings and verdicts as one evaluator", async () => {
    const envShards = new Set(["development", "staging", "production"].map((e) => shardOf(e, SHARDS)));
    expect(envShards.size).toBe(3);

    // One evaluator, one shard: judged after each batch, in the server itself.
    for (const body of batches) {
      await ingest(single, body);
      await evaluationSettled(single.db);
    }

    // The server stores and queues; two workers share the six shards.
    setEvaluationMode(sharded.db, "external");
    const [a, b] = [startWorker(sharded.url ?? ""), startWorker(sharded.url ?? "")];
    await Promise.all([a.started, b.started]);
    for (const body of batches) {
      await ingest(sharded, body);
      await drainedByWorkers(sharded);
    }
    expect(await evaluationBacklog(sharded.db)).toEqual({ pending: 0, failed: 0 });
    // Every row was judged by every shard before it was deleted.
    expect(await queryRows(sharded.db, sql`select id from evaluation_queue`)).toEqual([]);

    for (const w of [a, b]) {
      w.child.kill("SIGTERM");
      expect(await new Promise((resolve) => w.child.once("exit", resolve))).toBe(0);
    }
    const [byA, byB] = [judgedByShard(a.out), judgedByShard(b.out)];
    // Both judged: each took some shards' rows, and together every shard judged every batch.
    expect(Object.keys(byA).length).toBeGreaterThan(0);
    expect(Object.keys(byB).length).toBeGreaterThan(0);
    const perShard = Array.from({ length: SHARDS }, (_, s) => (byA[s] ?? 0) + (byB[s] ?? 0));
    expect(perShard[0]).toBeGreaterThanOrEqual(batches.length - 1);
    expect(new Set(perShard).size).toBe(1);

    const [one, two] = await Promise.all([judged(single), judged(sharded)]);
    expect(one.results.length).toBeGreaterThan(100);
    expect(one.findings.length).toBeGreaterThan(0);
    expect(two).toEqual(one);
  });
});

describe("the evaluation queue in shards, judged by one process", () => {
  let one: DatabaseHandle;
  let six: DatabaseHandle;
  afterAll(async () => Promise.all([one?.close(), six?.close()]));

  it("deletes each row once every shard judged it, and decides what one shard decides", async () => {
    [one, six] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    setEvaluationShards(six.db, SHARDS);
    for (const body of batches.slice(0, 4)) {
      await ingest(one, body);
      await evaluationSettled(one.db);
      await ingest(six, body);
      await evaluationSettled(six.db);
      expect(await queryRows(six.db, sql`select id from evaluation_queue`)).toEqual([]);
    }
    expect(await drainEvaluationQueue(six.db)).toEqual({ evaluated: 0, busy: false, lastRound: 0 });
    const [a, b] = await Promise.all([judged(one), judged(six)]);
    expect(a.results.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
  });
});
