// Profiling aid, not a benchmark (`npx tsx scripts/bench/ingest-profile.ts`, under the heavy lock;
// `node --cpu-prof --import tsx` for a CPU profile): the ingest bench's batch phase in-process, the
// demo history in 500-event batches from 4 concurrent callers, then the evaluation queue drained;
// every SQL statement timed and summed by its first words. DATABASE_URL names the server and the prefix.
import pg from "pg";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { generateDemoEvents } from "@/lib/demo";
import { drainEvaluationQueue, setEvaluationMode } from "@/lib/evaluation/queue";
import { ingestEvents } from "@/lib/ingest/events-api";
import { parseJson } from "@/lib/http/body";
import { statementTimer } from "./statement-timer";

const own = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const prefix = own.pathname.slice(1) && own.pathname.slice(1) !== "postgres" ? own.pathname.slice(1) : "custody";
own.pathname = "/postgres";
const server = own.toString();
const name = `${prefix}_ingest_profile`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`drop database if exists ${name} with (force)`);
await admin.query(`create database ${name}`);
if (process.env.AUTO_EXPLAIN_MS) {
  await admin.query(`alter database ${name} set session_preload_libraries = 'auto_explain'`);
  await admin.query(`alter database ${name} set auto_explain.log_min_duration = ${Number(process.env.AUTO_EXPLAIN_MS)}`);
  await admin.query(`alter database ${name} set auto_explain.log_analyze = on`);
}
const h = await openDatabase({ url: server.replace(/\/postgres$/, `/${name}`) });
await migrate(h);
// Judged after the batches, not beside them: the two phases are timed apart.
setEvaluationMode(h.db, "external");

const timer = statementTimer(90);
const stmts = timer.statements;
const summary = (label: string, wall: number) => {
  const by = new Map<string, { n: number; ms: number }>();
  for (const s of stmts) {
    const k = s.text;
    const e = by.get(k) ?? { n: 0, ms: 0 };
    e.n += 1;
    e.ms += s.ms;
    by.set(k, e);
  }
  console.log(`== ${label}: wall ${wall.toFixed(0)} ms, ${stmts.length} statements`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(5)}x  ${k}`);
  stmts.length = 0;
};

const demo = generateDemoEvents();
const rounds = Number(process.env.ROUNDS ?? 2);
const bodies: string[] = [];
for (let r = 0; r < rounds; r++) {
  const events = demo.map((e) => ({ ...e, id: `r${r}-${e.id}` }));
  for (let i = 0; i < events.length; i += 500) bodies.push(JSON.stringify({ events: events.slice(i, i + 500) }));
}
const sender = { principal: "token:bench" };
timer.start();
let next = 0;
const t0 = performance.now();
let parseMs = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      if (b === undefined) break;
      const p = performance.now();
      const json = parseJson(b);
      parseMs += performance.now() - p;
      await ingestEvents(h.db, json, b, sender);
    }
  }),
);
const accepted = performance.now() - t0;
summary(`ingest ${demo.length * rounds} events (parse ${parseMs.toFixed(0)} ms)`, accepted);
const t1 = performance.now();
const r = await drainEvaluationQueue(h.db);
summary(`evaluation (${r.evaluated} rows)`, performance.now() - t1);
console.log(`accepted ${((demo.length * rounds) / (accepted / 1000)).toFixed(0)}/s, judged ${((demo.length * rounds) / ((performance.now() - t0) / 1000)).toFixed(0)}/s`);
timer.stop();
await h.close();
// KEEP=1 leaves the database for a look afterwards (dropped at the next run's start).
if (!process.env.KEEP) await admin.query(`drop database if exists ${name} with (force)`);
await admin.end();
