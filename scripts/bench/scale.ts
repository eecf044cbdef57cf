// `npm run bench -- scale`: ten years of a large organisation (issue #23). At full size 10 M
// production deployments (1 M a year, each with its commit, approved PR, CI run, image build, the
// catalogue's check results and their summary) and 100 M ledger entries in monthly partitions;
// BENCH_SCALE (default 0.02) scales both, and every figure says by how much. Then, from outside
// over HTTP against the production server: trace by digest and state-at with a read token, the
// overview page with a session, a year's population CSV (time and the server's RSS), and the time
// of a full `custody verify` run as the operator runs it.
// BENCH_SCALE_YEARS (default 10) puts the same deployments and entries into fewer years: with
// BENCH_SCALE=0.1 BENCH_SCALE_YEARS=1 the latest year holds 1 M changes, a full-size year, so the
// year's population CSV and the server's RSS during it are measured at the size of the target
// rather than extrapolated from a smaller year.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { sessionCookies } from "@/lib/auth/testing";
import { createToken } from "@/lib/auth/tokens";
import { rebuildCheckRollups } from "@/lib/evaluation/rollups";
import { signCheckpoint } from "@/lib/ledger/checkpoints";
import { appendToLedger, lockLedger, type NewLedgerEntry } from "@/lib/ledger/ledger";
import { createMonthPartitions, listPartitions } from "@/lib/partitions/maintain";
import { rulesOfKind } from "@/lib/policy/catalogue";
import { testSigningKey } from "@/lib/reports/test-support";
import { percentile, type BenchContext, type Figure } from "./figure";
import { benchDatabase, startServer } from "./server";
import { benchRowsFromCli } from "./sources";

const root = path.join(import.meta.dirname, "..", "..");
const SCALE = Number(process.env.BENCH_SCALE ?? 0.02);
const YEARS = Number(process.env.BENCH_SCALE_YEARS ?? 10);
if (!Number.isInteger(YEARS) || YEARS < 1 || YEARS > 10) throw new Error("BENCH_SCALE_YEARS: a whole number of years from 1 to 10");
const DEPLOYMENTS = Math.round(10_000_000 * SCALE);
const LEDGER = Math.round(100_000_000 * SCALE);
const PER_YEAR = Math.round(DEPLOYMENTS / YEARS);
const SERVICES = 200;
const END = Date.UTC(2026, 10, 1);
const START = END - YEARS * 365 * 86_400_000;
const STEP_MS = Math.floor((END - START) / DEPLOYMENTS);
const RUNS = 200;
/** The ledger's partition of the month in the middle of the history, whose size the load reports. */
const middleMonth = (() => {
  const mid = new Date((START + END) / 2);
  return `ledger_events_p${mid.getUTCFullYear()}m${String(mid.getUTCMonth() + 1).padStart(2, "0")}`;
})();

const sha = sql`md5('c' || k) || substr(md5('h' || k), 1, 8)`;
const digest = sql`'sha256:' || md5('d' || k) || md5('e' || k)`;
const svc = sql`'svc-' || (k % ${SERVICES}::int)`;
const at = sql`(${new Date(START).toISOString()}::timestamptz + (k::bigint * ${STEP_MS}::bigint) * interval '1 millisecond')`;

/** The deployments and their chains, set-based in Postgres, in slices of a year so no statement holds everything. */
export async function loadChanges(db: Database): Promise<void> {
  await benchRowsFromCli(db);
  await db.execute(sql`insert into environments (name, rank, is_production) values ('development', 0, false), ('staging', 1, false), ('production', 2, true) on conflict (name) do nothing`);
  await db.execute(sql`insert into services (name, repository) select 'svc-' || s, 'acme/svc-' || s from generate_series(0, ${SERVICES - 1}::int) s on conflict (name) do nothing`);
  const rules = [...rulesOfKind("gate"), ...rulesOfKind("image")].map((r) => r.id);
  await createMonthPartitions(db, "check_results", new Date(START), new Date(END));
  for (let from = 0; from < DEPLOYMENTS; from += PER_YEAR) {
    const series = sql`generate_series(${from}::int, ${Math.min(from + PER_YEAR, DEPLOYMENTS) - 1}::int) k`;
    await db.execute(sql`insert into commits (sha, repository, message, author_login, branch, committed_at)
      select ${sha}, 'acme/' || ${svc}, 'change ' || k, 'dev-' || (k % 97), 'main', ${at} - interval '3 hours' from ${series}`);
    await db.execute(sql`insert into pull_requests (repository, number, title, author, state, merged, merged_at, merged_by, merge_commit_sha, head_sha, opened_at, source_updated_at)
      select 'acme/' || ${svc}, k + 1, 'change ' || k, 'dev-' || (k % 97), 'closed', true, ${at} - interval '2 hours', 'dev-' || ((k + 3) % 97), ${sha}, md5('h' || k), ${at} - interval '1 day', ${at} from ${series}`);
    await db.execute(sql`insert into reviews (external_id, repository, pull_number, reviewer, state, commit_sha, submitted_at)
      select 'r' || k, 'acme/' || ${svc}, k + 1, 'dev-' || ((k + 1) % 97), 'approved', md5('h' || k), ${at} - interval '150 minutes' from ${series}`);
    await db.execute(sql`insert into pipeline_runs (provider, run_id, attempt, repository, workflow, commit_sha, event, actor, status, conclusion, started_at, completed_at, source_updated_at)
      select 'github-actions', (8000000000 + k)::text, 1, 'acme/' || ${svc}, 'ci', ${sha}, 'push', 'ci-bot', 'completed', 'success', ${at} - interval '100 minutes', ${at} - interval '90 minutes', ${at} from ${series}`);
    await db.execute(sql`insert into image_builds (service, repository, digest, tags, commit_sha, pipeline_provider, pipeline_run_id, builder, stages, size_bytes, built_at)
      select ${svc}, 'ghcr.io/acme/' || ${svc}, ${digest}, array[${sha}], ${sha}, 'github-actions', (8000000000 + k)::text, 'github-actions', 2, 100000000, ${at} - interval '80 minutes' from ${series}`);
    await db.execute(sql`insert into deployments (external_id, service, environment, image_ref, digest, manifest_commit_sha, commit_sha, pipeline_provider, pipeline_run_id, actor, actor_type, change_type, status, deployed_at, source_updated_at)
      select 'dep-' || k, ${svc}, 'production', 'ghcr.io/acme/' || ${svc} || '@' || ${digest}, ${digest}, ${sha}, ${sha}, 'github-actions', (8000000000 + k)::text, 'deploy-bot', 'pipeline',
        case when k % 97 = 0 then 'emergency' else 'normal' end, case when k % 157 = 0 then 'failed' else 'success' end, ${at}, ${at} from ${series}`);
    await db.execute(sql`insert into check_results (deployment_id, deployed_at, rule_id, result, evidence, policy_version, evaluated_at)
      select d.id, d.deployed_at, r, case when (d.id * 31 + length(r)) % 100 = 0 then 'fail' else 'pass' end, '{}'::jsonb, 'bench', d.deployed_at
      from deployments d cross join unnest(${sql.param(rules)}::text[]) r where d.external_id in (select 'dep-' || k from ${series})`);
  }
  await db.execute(sql`insert into check_summaries (deployment_id, rules, results)
    select deployment_id, jsonb_agg(rule_id order by rule_id collate "C"), jsonb_agg(result order by rule_id collate "C") from check_results group by deployment_id`);
  await db.execute(sql`insert into findings (rule_id, severity, status, subject_key, environment, service, deployment_id, summary, evidence, opened_at, last_seen_at, resolved_at, resolution, policy_version)
    select c.rule_id, 'high', case when c.deployment_id % 10 = 0 then 'open' else 'resolved' end, 'deployment:' || c.deployment_id, d.environment, d.service, d.id, c.rule_id || ' failed', '{}'::jsonb,
      d.deployed_at, d.deployed_at, case when c.deployment_id % 10 = 0 then null else d.deployed_at + interval '3 days' end, case when c.deployment_id % 10 = 0 then null else 'compliant' end, 'bench'
    from check_results c join deployments d on d.id = c.deployment_id where c.result = 'fail'`);
  await rebuildCheckRollups(db);
}

/**
 * The ledger's entries, synthesised here (not sent through HTTP): valid chain hashes and the
 * Merkle tree grown by the production append, 5,000 entries a transaction, their receive times
 * spread evenly over the years (ten unless BENCH_SCALE_YEARS) so every monthly partition holds its share.
 */
export async function loadLedger(db: Database): Promise<void> {
  await createMonthPartitions(db, "ledger_events", new Date(START), new Date(END));
  const step = (END - START) / LEDGER;
  const notes = "x".repeat(200);
  for (let i = 0; i < LEDGER; i += 5000) {
    const n = Math.min(5000, LEDGER - i);
    const entries: NewLedgerEntry[] = Array.from({ length: n }, (_, j) => {
      const k = i + j;
      const receivedAt = new Date(Math.floor(START + k * step));
      return {
        source: "events",
        eventType: "deployment",
        deliveryId: `scale-${k}`,
        contentType: "application/json",
        receivedAt,
        body: JSON.stringify({ id: `scale-${k}`, type: "deployment", occurredAt: receivedAt.toISOString(), service: `svc-${k % SERVICES}`, environment: "production", notes }),
        status: "used",
        reason: null,
        principal: "token:bench",
      };
    });
    await db.transaction(async (tx) => appendToLedger(tx, await lockLedger(tx), entries));
  }
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const rand = (n: number) => Math.floor(Math.random() * n);
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * BENCH_SCALE_KEEP=1 keeps the loaded database (`<database>_scale_<factor>`) after the run and, when
 * it already holds a complete load of this factor, measures against it without loading again; with
 * BENCH_SCALE_ONLY=load the run loads and stops. So the load (long, not timed) runs outside the
 * heavy lock and only the measuring takes it:
 *   BENCH_SCALE_KEEP=1 BENCH_SCALE_ONLY=load npm run bench -- scale
 *   BENCH_SCALE_KEEP=1 flock -x /tmp/custody-heavy.lock npm run bench -- scale
 * BENCH_SCALE_ONLY=drop drops the kept database.
 */
const KEEP = process.env.BENCH_SCALE_KEEP === "1";
const ONLY = process.env.BENCH_SCALE_ONLY ?? "";

export async function benchScale(ctx: BenchContext): Promise<Figure[]> {
  const factor = `scale ${SCALE} of the target (${DEPLOYMENTS.toLocaleString("en")} deployments, ${LEDGER.toLocaleString("en")} ledger entries${YEARS === 10 ? "" : ` in ${YEARS} year${YEARS === 1 ? "" : "s"}, not ten`}; BENCH_SCALE=1 for 10 M / 100 M)`;
  process.stderr.write(`scale: ${factor}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  const name = KEEP ? `custody_scale_${String(SCALE).replace(/[^0-9]/g, "_")}${YEARS === 10 ? "" : `_y${YEARS}`}` : "custody_scale";
  // Kept (BENCH_SCALE_KEEP): created when missing, never dropped first; dropped only by BENCH_SCALE_ONLY=drop.
  const database = await benchDatabase(ctx.serverUrl, name, { keep: KEEP, create: ONLY !== "drop" });
  if (ONLY === "drop") {
    await database.drop();
    return [];
  }
  const h = await openDatabase({ url: database.url });
  const figures: Figure[] = [];
  try {
    const loaded = KEEP && (await loadedScale(h.db)) === SCALE;
    if (loaded && ONLY === "load") {
      process.stderr.write(`scale: ${new URL(database.url).pathname.slice(1)} already holds this load\n`);
      return figures;
    } else if (loaded) {
      process.stderr.write(`scale: measuring the kept load in ${new URL(database.url).pathname.slice(1)}\n`);
    } else {
      await migrate(h);
      let t = performance.now();
      await loadChanges(h.db);
      const changesS = (performance.now() - t) / 1000;
      t = performance.now();
      await loadLedger(h.db);
      const ledgerS = (performance.now() - t) / 1000;
      const key = testSigningKey();
      await signCheckpoint(h.db, "entries", key);
      await h.db.execute(sql`vacuum analyze`);
      const [size] = await queryRows<{ db: string; ledger: string; checks: string }>(
        h.db,
        sql`select pg_size_pretty(pg_database_size(current_database())) as db, pg_size_pretty(pg_total_relation_size(${middleMonth})) as ledger, (select count(*) from check_results)::text as checks`,
      );
      const parts = (await listPartitions(h.db)).filter((p) => p.table === "ledger_events" && p.from);
      figures.push({ figure: `scale: load, ${factor}`, value: round(changesS + ledgerS), unit: "s", target: null, reference: `changes and their chains set-based in SQL ${round(changesS)} s (${Number(size?.checks).toLocaleString("en")} check results); ledger synthesised here and appended through appendToLedger ${round(ledgerS)} s (${Math.round(LEDGER / ledgerS)} entries/s) into ${parts.length} monthly partitions; database ${size?.db}, one month of the ledger ${size?.ledger}` });
      if (KEEP) await h.db.execute(sql`create table bench_scale_loaded as select ${SCALE}::float8 as scale`);
      process.stderr.write(`scale: loaded in ${round(changesS + ledgerS)} s\n`);
      if (ONLY === "load") return figures;
    }
    const [size] = await queryRows<{ db: string }>(h.db, sql`select pg_size_pretty(pg_database_size(current_database())) as db`);
    process.stderr.write(`scale: database ${size?.db}\n`);

    const { token } = await createToken(h.db, { name: "bench-reader", scopes: ["read"], createdBy: "bench" });
    const cookies = await sessionCookies(h.db);
    const server = await startServer(database.url, 3560, { CUSTODY_EVALUATOR: "external" });
    const startedRss = rssMb(server.pid);
    try {
      const get = async (p: string, headers: Record<string, string>) => {
        const res = await fetch(`${server.url}${p}`, { headers });
        if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        return res;
      };
      const bearer = { authorization: `Bearer ${token}` };
      const digestOf = (k: number) => `sha256:${md5(`d${k}`)}${md5(`e${k}`)}`;
      const stateAt = () => new Date(START + rand(END - START)).toISOString();
      for (let i = 0; i < 20; i++) {
        await (await get(`/api/v1/trace/${digestOf(rand(DEPLOYMENTS))}`, bearer)).arrayBuffer();
        await (await get(`/api/v1/environments/production/state?at=${encodeURIComponent(stateAt())}`, bearer)).arrayBuffer();
      }
      const trace: number[] = [];
      const state: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const d = digestOf(rand(DEPLOYMENTS));
        trace.push(await timed(async () => (await get(`/api/v1/trace/${d}`, bearer)).arrayBuffer()));
        const a = stateAt();
        state.push(await timed(async () => (await get(`/api/v1/environments/production/state?at=${encodeURIComponent(a)}`, bearer)).arrayBuffer()));
      }
      const load = () => os.loadavg()[0]?.toFixed(2);
      figures.push({ figure: `scale: GET /api/v1/trace/{digest} over HTTP with a read token (p95), ${DEPLOYMENTS.toLocaleString("en")} deployments`, value: round(percentile(trace, 95)), unit: "ms", target: "< 50", reference: `p50 ${round(percentile(trace, 50))} ms, ${RUNS} random digests after 20 of warm-up; load ${load()}` });
      figures.push({ figure: `scale: GET /api/v1/environments/production/state?at= over HTTP with a read token (p95), ${SERVICES} services`, value: round(percentile(state, 95)), unit: "ms", target: "< 50", reference: `p50 ${round(percentile(state, 50))} ms, random times over ${YEARS} year${YEARS === 1 ? "" : "s"}; load ${load()}` });

      const session = { cookie: cookies.manager };
      await (await get("/", session)).arrayBuffer();
      const overview: number[] = [];
      for (let i = 0; i < 20; i++) overview.push(await timed(async () => (await get("/", session)).arrayBuffer()));
      figures.push({ figure: `scale: overview page / over HTTP with a session, whole streamed page (p95), ${DEPLOYMENTS.toLocaleString("en")} deployments`, value: round(percentile(overview, 95)), unit: "ms", target: "< 1000", reference: `p50 ${round(percentile(overview, 50))} ms, 20 loads; load ${load()}` });

      // The latest full year: PER_YEAR production changes.
      const from = new Date(END - 365 * 86_400_000).toISOString().slice(0, 10);
      const to = new Date(END - 86_400_000).toISOString().slice(0, 10);
      const base = rssMb(server.pid);
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 20);
      let bytes = 0;
      let lines = 0;
      const csvMs = await timed(async () => {
        const res = await get(`/api/v1/reports/soc2?from=${from}&to=${to}&format=csv&kind=population`, { cookie: cookies.compliance });
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          for (const b of value) if (b === 10) lines += 1;
        }
      });
      clearInterval(sampler);
      // fetch asks for gzip, as browsers do, and the server compresses the stream: the same export
      // once more without (curl's default) shows what the compression costs.
      const plainMs = await timed(async () => {
        const res = await get(`/api/v1/reports/soc2?from=${from}&to=${to}&format=csv&kind=population`, { cookie: cookies.compliance, "accept-encoding": "identity" });
        if (res.headers.get("content-encoding")) throw new Error(`identity asked, ${res.headers.get("content-encoding")} sent`);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        for (;;) if ((await reader.read()).done) break;
      });
      figures.push({ figure: `scale: a year's population CSV over HTTP, ${PER_YEAR.toLocaleString("en")} changes (1 M at full size)`, value: round(csvMs / 1000), unit: "s", target: "< 50", reference: `${lines - 1} rows, ${Math.round(bytes / 1e6)} MB, streamed gzip-compressed as fetch and browsers ask; without compression (accept-encoding: identity) ${round(plainMs / 1000)} s; load ${load()}` });
      figures.push({ figure: "scale: server RSS during that export (peak)", value: Math.round(peak), unit: "MB", target: "< 300", reference: `${Math.round(base)} MB before it (after the trace, state-at and overview loads), ${Math.round(startedRss)} MB when the server had started; the export itself +${Math.round(peak - base)} MB; /proc/<pid>/status every 20 ms` });
    } finally {
      await server.stop();
    }

    // A full verify as the operator runs it: the CLI, its own process, against this database.
    const t = performance.now();
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(root, "bin", "custody.mjs"), "verify"], { cwd: root, env: { ...process.env, DATABASE_URL: database.url, CUSTODY_LOG_LEVEL: "warn" } });
      let text = "";
      child.stdout.on("data", (c: Buffer) => (text += c.toString()));
      child.stderr.on("data", (c: Buffer) => (text += c.toString()));
      child.on("exit", (code) => resolve({ code, text }));
    });
    const verifyS = (performance.now() - t) / 1000;
    if (out.code !== 0) throw new Error(`custody verify failed: ${out.text}`);
    figures.push({ figure: `scale: full custody verify of ${LEDGER.toLocaleString("en")} entries (chains + Merkle tree, one process)`, value: round(verifyS), unit: "s", target: null, reference: `${Math.round(LEDGER / verifyS).toLocaleString("en")} entries/s; ${out.text.trim().split("\n").slice(0, 3).join(" | ").slice(0, 300)}` });
    return figures;
  } finally {
    await h.close();
    if (!KEEP) await database.drop();
  }
}

/** The factor of a complete kept load in this database, or null. */
async function loadedScale(db: Database): Promise<number | null> {
  const [row] = await queryRows<{ exists: boolean }>(db, sql`select to_regclass('bench_scale_loaded') is not null as exists`);
  if (!row?.exists) return null;
  const [s] = await queryRows<{ scale: number }>(db, sql`select scale from bench_scale_loaded`);
  return s ? Number(s.scale) : null;
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
