// Profiling aid, not a benchmark (`npx tsx scripts/bench/drift-profile.ts`, under the heavy lock; add
// `node --cpu-prof --import tsx` for a CPU profile): the drift bench's snapshot ingested and judged
// in-process, after the same 1,000-pod warm-up, with every SQL statement timed (PROF_ALL=1 prints
// them in order, with their start). Loads 1M deployments once into <prefix>_drift_profile_base
// (kept; --reload loads it again), then copies it for each run.
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase, queryRows } from "@/db/client";
import { migrate } from "@/db/migrate";
import { drainEvaluationQueue } from "@/lib/evaluation/queue";
import { ingestEvents, parseEventsBody } from "@/lib/ingest/events-api";
import { clusterObjects, load, podList } from "./drift";
import { clusterSnapshot } from "@/lib/ingest/kubernetes";
import { statementTimer } from "./statement-timer";

// DATABASE_URL names the server and, as for the benches, the prefix of the two databases it makes.
const own = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const prefix = own.pathname.slice(1) && own.pathname.slice(1) !== "postgres" ? own.pathname.slice(1) : "custody";
own.pathname = "/postgres";
const server = own.toString();
const base = `${prefix}_drift_profile_base`;
const run = `${prefix}_drift_profile_run`;
const size = { deployments: 1_000_000, pods: 10_000, controllers: 2_000, configs: 3_000 };
const urlOf = (db: string) => server.replace(/\/postgres$/, `/${db}`);

const admin = new pg.Client({ connectionString: server });
await admin.connect();
const exists = (await admin.query(`select 1 from pg_database where datname = $1`, [base])).rowCount;
if (!exists || process.argv.includes("--reload")) {
  await admin.query(`drop database if exists ${base} with (force)`);
  await admin.query(`create database ${base}`);
  const h = await openDatabase({ url: urlOf(base) });
  await migrate(h);
  const t = performance.now();
  await load(h, size);
  console.error(`loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await h.close();
}
await admin.query(`drop database if exists ${run} with (force)`);
await admin.query(`create database ${run} template ${base}`);
await admin.end();

const timer = statementTimer(140);
const log = timer.statements;

const DEPLOYMENTS = size.deployments;
const lastRelease = Math.floor((DEPLOYMENTS - 1) / 3);
const end = new Date(Date.parse("2025-01-01T00:00:00Z") + DEPLOYMENTS * 60_000);
const at = new Date(end.getTime() + 3_600_000).toISOString();
const h = await openDatabase({ url: urlOf(run) });
const spans: [string, number][] = [];
const span = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
  const t = performance.now();
  const r = await f();
  spans.push([name, performance.now() - t]);
  return r;
};
const snapshotBody = (id: string, when: string, edited: boolean) => {
  const pods = podList(lastRelease, when, size.pods) as { items: unknown[] };
  pods.items.push(...clusterObjects(lastRelease, when, size.controllers, size.configs, edited));
  return JSON.stringify(clusterSnapshot(pods, { environment: "production", id, observedAt: when }));
};
{
  const warmAt = new Date(Date.parse(at) - 60_000).toISOString();
  const { podsToSnapshot } = await import("@/lib/ingest/kubernetes");
  const warm = JSON.stringify(podsToSnapshot(podList(lastRelease, warmAt, 1_000), { environment: "bench-warmup", id: "prof-warmup", observedAt: warmAt }));
  await ingestEvents(h.db, JSON.parse(warm), warm);
  await drainEvaluationQueue(h.db);
}
// PROF_SNAPSHOTS=N (default 2) consecutive snapshots an hour apart, as the bench sends five; every one
// after the first edits 1 in 100 ConfigMaps.
const count = Math.max(1, Number(process.env.PROF_SNAPSHOTS ?? 2));
const totals: number[] = [];
for (const [n, id, when, edited] of Array.from({ length: count }, (_, i) => [i + 1, `prof-${i + 1}`, new Date(end.getTime() + (i + 1) * 3_600_000).toISOString(), i > 0] as const)) {
  const body = snapshotBody(id, when, edited);
  const started = performance.now();
  timer.start(started);
  spans.length = 0;
  const json = await span("JSON.parse", () => JSON.parse(body));
  await span("parseEventsBody (validation, again inside ingest)", () => parseEventsBody(json));
  await span("ingestEvents", () => ingestEvents(h.db, json, body));
  await span("drain", () => drainEvaluationQueue(h.db));
  timer.stop();
  totals.push(performance.now() - started);
  console.log(`\n=== snapshot ${n} (${(body.length / 1048576).toFixed(1)} MiB): total ${(performance.now() - started).toFixed(0)} ms`);
  for (const [name, ms] of spans) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  const sorted = [...log].sort((a, b) => b.ms - a.ms);
  console.log(`  ${log.length} statements, ${log.reduce((s, q) => s + q.ms, 0).toFixed(0)} ms; slowest:`);
  for (const q of sorted.slice(0, 12)) console.log(`  ${q.ms.toFixed(1).padStart(8)} ms  ${q.text}`);
  if (process.env.PROF_ALL) for (const q of log) console.log(`  @${q.at.toFixed(0).padStart(5)} ${q.ms.toFixed(1).padStart(7)} ms  ${q.text}`);
}
console.log(`\ntotals: ${totals.map((t) => t.toFixed(0)).join(", ")} ms`);
const [f] = await queryRows<{ n: string }>(h.db, sql`select count(*) as n from findings where status = 'open'`);
const byRule = await queryRows<{ rule_id: string; status: string; n: string }>(h.db, sql`select rule_id, status, count(*) as n from findings group by 1, 2 order by 1, 2`);
console.log(`open findings ${f?.n}`, byRule.map((r) => `${r.rule_id}/${r.status}=${r.n}`).join(" "));
await h.close();
