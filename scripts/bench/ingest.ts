import { createHmac } from "node:crypto";
import pg from "pg";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { createToken } from "@/lib/auth/tokens";
import { generateDemoEvents } from "@/lib/demo";
import { examplesOf } from "@/lib/ingest/github/test-examples";
import { percentile, type BenchContext, type Figure } from "./figure";
import { benchDatabase, evaluationDrained, startServer } from "./server";

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

export async function benchIngest(ctx: BenchContext): Promise<Figure[]> {
  const database = await benchDatabase(ctx.serverUrl, "custody_bench_ingest");
  const handle = await openDatabase({ url: database.url });
  await migrate(handle);
  const { token } = await createToken(handle.db, { name: "bench", scopes: ["ingest"], createdBy: "bench" });
  await handle.close();
  const server = await startServer(database.url, 3399, { GITHUB_WEBHOOK_SECRET: SECRET });
  try {
    // Batch ingestion: the demo history (every event type, snapshots included), re-identified per round.
    const demo = generateDemoEvents().filter((e) => e.type !== "snapshot");
    const rounds = 4;
    const batches: string[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const events = demo.map((e) => ({ ...e, id: `r${r}-${e.id}` }));
      for (let i = 0; i < events.length; i += 500) batches.push(JSON.stringify({ events: events.slice(i, i + 500) }));
    }
    const totalEvents = demo.length * rounds;
    const [, batchMs] = await timed(async () => {
      for (const body of batches) {
        const res = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
        if (res.status !== 202) throw new Error(`events answered ${res.status}: ${await res.text()}`);
      }
    });
    const batchRate = totalEvents / (batchMs / 1000);
    // Evaluation runs after the 202, from a queue: how long until every batch was judged.
    const watch = new pg.Client({ connectionString: database.url });
    await watch.connect();
    const [, catchUpMs] = await timed(() => evaluationDrained(watch));
    await watch.end();

    // Webhooks: GitHub's own example payloads, signed, 16 in flight.
    const names = ["push", "pull_request", "pull_request_review", "workflow_run", "workflow_job", "check_run", "deployment", "deployment_status"] as const;
    const payloads = names.flatMap((n) => examplesOf(n).map((e) => ({ event: n, body: JSON.stringify(e.payload) })));
    const deliveries = Array.from({ length: 2300 }, (_, i) => payloads[i % payloads.length]).filter((p) => p !== undefined);
    const jobs = deliveries.map((p, i) => async () => {
      const res = await fetch(`${server.url}/api/v1/webhooks/github`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": p.event,
          "x-github-delivery": `bench-${i}`,
          "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(p.body).digest("hex")}`,
        },
        body: p.body,
      });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    });
    // Warm-up (not measured): the first requests of a fresh server load and JIT-compile the route.
    await pool(jobs.splice(0, 300), 16);
    const [latencies, webhookMs] = await timed(() => pool(jobs, 16));
    const webhookRate = latencies.length / (webhookMs / 1000);

    // The physical reference: the same payloads into a bare jsonb table.
    const raw = new pg.Pool({ connectionString: database.url, max: 16 });
    await raw.query("create table raw_events (id bigserial primary key, body jsonb not null)");
    const flat = demo.map((e) => JSON.stringify(e));
    const [, rawBatchMs] = await timed(async () => {
      for (let r = 0; r < rounds; r += 1) {
        for (let i = 0; i < flat.length; i += 500) {
          const chunk = flat.slice(i, i + 500);
          await raw.query(`insert into raw_events (body) select unnest($1::jsonb[])`, [chunk]);
        }
      }
    });
    const rawBatchRate = totalEvents / (rawBatchMs / 1000);
    const rawJobs = deliveries.map((p) => () => raw.query("insert into raw_events (body) values ($1)", [p.body]));
    const [, rawSingleMs] = await timed(() => pool(rawJobs, 16));
    const rawSingleRate = deliveries.length / (rawSingleMs / 1000);
    await raw.end();

    const avgWebhookKb = deliveries.reduce((n, p) => n + p.body.length, 0) / deliveries.length / 1024;
    return [
      { figure: "ingest.events.batch_rate", value: Math.round(batchRate), unit: "events/s", target: ">= 3000", reference: `raw jsonb insert ${Math.round(rawBatchRate)} rows/s` },
      { figure: "ingest.events.share_of_raw", value: Math.round((batchRate / rawBatchRate) * 1000) / 10, unit: "%", target: ">= 25", reference: `${totalEvents} events in ${batches.length} batches of 500` },
      {
        figure: "ingest.events.judged_rate",
        value: Math.round(totalEvents / ((batchMs + catchUpMs) / 1000)),
        unit: "events/s",
        target: null,
        reference: `gate checks and drift rules of every batch done ${(catchUpMs / 1000).toFixed(1)} s after the last 202`,
      },
      { figure: "ingest.webhook.rate", value: Math.round(webhookRate), unit: "deliveries/s", target: null, reference: `raw single-row insert at concurrency 16: ${Math.round(rawSingleRate)} rows/s; ${avgWebhookKb.toFixed(1)} KB average payload` },
      { figure: "ingest.webhook.p50", value: Math.round(percentile(latencies, 50) * 10) / 10, unit: "ms", target: null, reference: `concurrency 16, ${latencies.length} deliveries after 300 of warm-up` },
      { figure: "ingest.webhook.p99", value: Math.round(percentile(latencies, 99) * 10) / 10, unit: "ms", target: "< 50", reference: `concurrency 16, ${latencies.length} deliveries after 300 of warm-up` },
      { figure: "raw.insert.batch_rate", value: Math.round(rawBatchRate), unit: "rows/s", target: null, reference: "500-row INSERT into a bare jsonb table" },
    ];
  } finally {
    await server.stop();
    await database.drop();
  }
}
