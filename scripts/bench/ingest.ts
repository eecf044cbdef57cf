import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { createToken } from "@/lib/auth/tokens";
import { generateDemoEvents } from "@/lib/demo";
import { examplesOf } from "@/lib/ingest/github/test-examples";
import type { BenchContext, Figure } from "./figure";
import { BenchRefused, benchDatabase, evaluationDrained, noFailures, startServer } from "./server";

const run = promisify(execFile);

const SECRET = "bench-webhook-secret-000000";

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** Runs `jobs` with at most `concurrency` in flight; returns each job's latency in ms. */
async function pool(jobs: Array<() => Promise<unknown>>, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        if (!job) break;
        const [, ms] = await timed(job);
        latencies.push(ms);
      }
    }),
  );
  return latencies;
}

/** Runs the load generator (scripts/bench/load-client.mjs, autocannon) as a process of its own. */
async function loadClient(input: Record<string, unknown>): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "custody-bench-load-"));
  const file = path.join(dir, "input.json");
  writeFileSync(file, JSON.stringify(input));
  const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, "load-client.mjs"), file], { maxBuffer: 64 * 1024 * 1024 }).finally(() =>
    rmSync(dir, { recursive: true, force: true }),
  );
  const r = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as LoadResult;
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) throw new BenchRefused(`${String(input.kind)}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts (status codes ${JSON.stringify(r.statusCodes)})`);
  return r;
}
interface LoadResult {
  requests: number;
  rate: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes?: Record<string, { count: number }>;
}

const CLIENTS = 4;
const BATCH = 500;
const CONCURRENCY = 16;
const SECONDS = Number(process.env.CUSTODY_BENCH_SECONDS ?? 15);

/** Where evaluation runs: in the server, or in `workers` custody worker processes sharing `shards` shards. */
type Placement = { mode: "inline" | "external"; workers: number; shards: number };

/**
 * The evaluator placements, each in a fresh database and server: `inline` (the server judges after
 * its commits, on its own event loop), `external` (CUSTODY_EVALUATOR=external, one `custody worker`
 * process judges) and `external:2` (two workers judging the queue's shards side by side,
 * CUSTODY_BENCH_SHARDS shards, 6 by default: the demo's three environments fall in three different
 * ones). CUSTODY_BENCH_EVALUATOR=inline,external,external:2 (the default) picks.
 */
export async function benchIngest(ctx: BenchContext): Promise<Figure[]> {
  const placements = (process.env.CUSTODY_BENCH_EVALUATOR ?? "inline,external,external:2").split(",").map((m): Placement => {
    const [mode, n] = m.split(":");
    if (mode !== "inline" && mode !== "external") throw new BenchRefused(`CUSTODY_BENCH_EVALUATOR: ${m} is not inline, external or external:<workers>`);
    const workers = mode === "inline" ? 0 : Number(n ?? 1);
    return { mode, workers, shards: workers > 1 ? Number(process.env.CUSTODY_BENCH_SHARDS ?? 6) : 1 };
  });
  const figures: Figure[] = [];
  for (const p of placements) figures.push(...(await benchIngestWith(ctx, p)));
  return figures;
}

async function startWorker(databaseUrl: string, shards: number): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, "..", "..", "bin", "custody.mjs"), "worker"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl, CUSTODY_LOG_LEVEL: "warn", CUSTODY_EVALUATION_SHARDS: String(shards) },
  });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

async function benchIngestWith(ctx: BenchContext, placement: Placement): Promise<Figure[]> {
  const { mode, workers: workerCount, shards } = placement;
  const label = mode === "inline" ? "inline" : `external:${workerCount}`;
  const database = await benchDatabase(ctx.serverUrl, `custody_bench_ingest_${mode}${workerCount > 1 ? workerCount : ""}`);
  const handle = await openDatabase({ url: database.url });
  await migrate(handle);
  const { token } = await createToken(handle.db, { name: "bench", scopes: ["ingest"], createdBy: "bench" });
  await handle.close();
  const server = await startServer(database.url, 3399, { GITHUB_WEBHOOK_SECRET: SECRET, CUSTODY_EVALUATOR: mode, CUSTODY_EVALUATION_SHARDS: String(shards) });
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(database.url, shards)));
  const watch = new pg.Client({ connectionString: database.url });
  await watch.connect();
  try {
    // Batch ingestion: the demo history, every event type with its snapshots (the heaviest events,
    // ~7 KB each here, as the snapshot CronJob sends them), re-identified per round, 500 per batch,
    // four clients at once. The headline is the rate at which events are judged.
    const demo = generateDemoEvents();
    const snapshots = demo.filter((e) => e.type === "snapshot").length;
    const rounds = 4;
    const batches: string[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const events = demo.map((e) => ({ ...e, id: `r${r}-${e.id}` }));
      for (let i = 0; i < events.length; i += BATCH) batches.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
    }
    const totalEvents = demo.length * rounds;
    const post = (body: string) => async () => {
      const res = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
      if (res.status !== 202) throw new Error(`events answered ${res.status}: ${await res.text()}`);
    };
    const t0 = performance.now();
    await pool(batches.map(post), CLIENTS);
    const batchMs = performance.now() - t0;
    // Evaluation runs after the 202, from a queue: the clock stops when every row is judged.
    const batchDrain = await evaluationDrained(watch);
    const judgedMs = performance.now() - t0;
    const batchFailures = noFailures("batch ingestion", batchDrain);
    const batchRate = totalEvents / (batchMs / 1000);
    const judgedRate = totalEvents / (judgedMs / 1000);

    // The raw reference, only once the evaluator has finished the phase above: the same events in
    // 500-row multi-row jsonb INSERTs, from the same number of clients.
    const raw = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
    await raw.query("create table raw_events (id bigserial primary key, body jsonb not null)");
    const flat = demo.map((e) => JSON.stringify(e));
    const rawBatches: string[][] = [];
    for (let r = 0; r < rounds; r += 1) for (let i = 0; i < flat.length; i += BATCH) rawBatches.push(flat.slice(i, i + BATCH));
    const [, rawBatchMs] = await timed(() => pool(rawBatches.map((chunk) => () => raw.query(`insert into raw_events (body) select unnest($1::jsonb[])`, [chunk])), CLIENTS));
    const rawBatchRate = totalEvents / (rawBatchMs / 1000);

    // Webhooks, from outside: autocannon in a process of its own, concurrency 16, a warm-up that is
    // not measured, then GET /api/health (Next's own floor) and the webhook, each for SECONDS.
    const names = ["push", "pull_request", "pull_request_review", "workflow_run", "workflow_job", "check_run", "deployment", "deployment_status"] as const;
    const payloads = names.flatMap((n) => examplesOf(n).map((e) => ({ event: n, body: JSON.stringify(e.payload) })));
    const common = { url: server.url, connections: CONCURRENCY, seconds: SECONDS, warmupSeconds: 5 };
    const health = await loadClient({ ...common, kind: "health" });
    const webhook = await loadClient({ ...common, kind: "webhook", secret: SECRET, payloads });
    const webhookDrain = await evaluationDrained(watch);
    const webhookFailures = noFailures("webhooks", webhookDrain);
    const avgWebhookKb = payloads.reduce((n, p) => n + p.body.length, 0) / payloads.length / 1024;
    // The physical reference for a delivery, after the webhooks were judged: one single-row INSERT of
    // the same bodies at the same concurrency.
    const rawJobs = Array.from({ length: 3000 }, (_, i) => () => raw.query("insert into raw_events (body) values ($1)", [payloads[i % payloads.length]?.body]));
    const [, rawSingleMs] = await timed(() => pool(rawJobs, CONCURRENCY));
    const rawSingleRate = rawJobs.length / (rawSingleMs / 1000);
    await raw.end();

    const r1 = (n: number) => Math.round(n * 10) / 10;
    const r2 = (n: number) => Math.round(n * 100) / 100;
    const mix = `${totalEvents} events (${snapshots * rounds} snapshots) in ${batches.length} batches of ${BATCH}, ${CLIENTS} clients; ${batchFailures}`;
    const hook = `autocannon, concurrency ${CONCURRENCY}, ${SECONDS} s after 5 s of warm-up, each body distinct; ${webhookFailures}`;
    const figures: Figure[] = [
      { figure: "ingest.events.judged_rate", value: Math.round(judgedRate), unit: "events/s", target: ">= 3000", reference: `${mix}; judged ${((judgedMs - batchMs) / 1000).toFixed(1)} s after the last 202` },
      { figure: "ingest.events.accepted_rate", value: Math.round(batchRate), unit: "events/s", target: null, reference: `202s only; raw jsonb insert ${Math.round(rawBatchRate)} rows/s` },
      { figure: "ingest.events.stored_share_of_raw", value: r1((batchRate / rawBatchRate) * 100), unit: "%", target: ">= 15", reference: `raw multi-row jsonb INSERT ${Math.round(rawBatchRate)} rows/s, measured after the evaluator finished` },
      { figure: "ingest.events.judged_share_of_raw", value: r1((judgedRate / rawBatchRate) * 100), unit: "%", target: null, reference: `raw ${Math.round(rawBatchRate)} rows/s` },
      { figure: "ingest.webhook.rate", value: Math.round(webhook.rate), unit: "deliveries/s", target: null, reference: `${hook}; ${avgWebhookKb.toFixed(1)} KB average payload; raw single-row insert ${Math.round(rawSingleRate)} rows/s` },
      { figure: "ingest.webhook.p50", value: r1(webhook.p50), unit: "ms", target: null, reference: `GET /api/health p50 ${r1(health.p50)} ms` },
      { figure: "ingest.webhook.p99", value: r1(webhook.p99), unit: "ms", target: null, reference: `GET /api/health p99 ${r1(health.p99)} ms, same run` },
      { figure: "ingest.health.rate", value: Math.round(health.rate), unit: "requests/s", target: null, reference: `GET /api/health, ${hook}` },
      { figure: "ingest.webhook.p99_over_health_p99", value: r2(webhook.p99 / health.p99), unit: "x", target: "<= 1.5", reference: `${r1(webhook.p99)} / ${r1(health.p99)} ms` },
      { figure: "ingest.webhook.rate_over_health_rate", value: r2(webhook.rate / health.rate), unit: "x", target: ">= 0.7", reference: `${Math.round(webhook.rate)} / ${Math.round(health.rate)} per s` },
      { figure: "raw.insert.batch_rate", value: Math.round(rawBatchRate), unit: "rows/s", target: null, reference: `${BATCH}-row INSERT into a bare jsonb table, ${CLIENTS} clients` },
    ];
    const where = mode === "inline" ? "evaluator in the server" : `evaluator in ${workerCount} custody worker process(es), ${shards} shard(s)`;
    return figures.map((f) => ({ ...f, figure: `${f.figure} [${label}]`, reference: `${f.reference ?? ""}; ${where}` }));
  } finally {
    await watch.end();
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    await database.drop();
  }
}
