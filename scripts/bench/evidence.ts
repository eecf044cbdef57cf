import { sql } from "drizzle-orm";
import { openDatabase, queryRows, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { gatherEvidence, gatherQuery } from "@/lib/evidence/gather";
import { currentDeploymentIds, environmentStateAt } from "@/lib/evidence/state";
import { traceRef } from "@/lib/evidence/trace";
import { activePolicy } from "@/lib/policy/active";
import { evaluateDeployment } from "@/lib/policy/evaluate";
import { percentile, type BenchContext, type Figure } from "./figure";
import { createToken } from "@/lib/auth/tokens";
import { benchDatabase, startServer } from "./server";
import { benchRowsFromCli } from "./sources";

const DB_NAME = "custody_bench_evidence";
const SERVICES = 50;
/** Each change is deployed three times (development, staging, production): 1,000,002 deployments. */
const CHANGES = 333_334;
const RUNS = 200;
const BASE = Date.parse("2025-01-01T00:00:00Z");
const STEP_S = 20;

const digestSql = sql`'sha256:' || md5('d' || k) || md5('e' || k)`;
const shaSql = sql`md5('c' || k) || substr(md5('h' || k), 1, 8)`;

/** Change k: commit, PR with an approval, CI run, image build, then dev, staging (+30 min) and production (+2 h). */
export async function load(h: DatabaseHandle): Promise<void> {
  const db = h.db;
  const at = sql`timestamptz '2025-01-01T00:00:00Z' + (k * ${STEP_S}) * interval '1 second'`;
  const svc = sql`'svc-' || (k % ${SERVICES})`;
  const series = sql`generate_series(0, ${CHANGES - 1}) k`;
  await benchRowsFromCli(db);
  await db.execute(sql`insert into environments (name, rank, is_production) values ('development', 0, false), ('staging', 1, false), ('production', 2, true) on conflict (name) do nothing`);
  await db.execute(sql`insert into services (name, repository) select 'svc-' || s, 'bench/svc-' || s from generate_series(0, ${SERVICES - 1}) s`);
  await db.execute(sql`insert into commits (sha, repository, message, author_login, branch, committed_at)
    select ${shaSql}, 'bench/' || ${svc}, 'change ' || k, 'dev-' || (k % 97), 'main', ${at} from ${series}`);
  await db.execute(sql`insert into pull_requests (repository, number, title, author, state, merged, merged_at, merge_commit_sha, head_sha, source_updated_at)
    select 'bench/' || ${svc}, k + 1, 'change ' || k, 'dev-' || (k % 97), 'closed', true, ${at}, ${shaSql}, ${shaSql}, ${at} from ${series}`);
  await db.execute(sql`insert into reviews (external_id, repository, pull_number, reviewer, state, commit_sha, submitted_at)
    select 'r' || k, 'bench/' || ${svc}, k + 1, 'dev-' || ((k + 1) % 97), 'approved', ${shaSql}, ${at} - interval '10 minutes' from ${series}`);
  await db.execute(sql`insert into pipeline_runs (provider, run_id, attempt, repository, workflow, commit_sha, event, actor, status, conclusion, source_updated_at)
    select 'github-actions', (8000000000 + k)::text, 1, 'bench/' || ${svc}, 'ci', ${shaSql}, 'push', 'ci-bot', 'completed', 'success', ${at} from ${series}`);
  await db.execute(sql`insert into image_builds (service, repository, digest, tags, commit_sha, pipeline_provider, pipeline_run_id, builder, stages, size_bytes, built_at)
    select ${svc}, 'ghcr.io/bench/' || ${svc}, ${digestSql}, array[${shaSql}], ${shaSql}, 'github-actions', (8000000000 + k)::text, 'github-actions', 2, 100000000,
      ${at} + interval '5 minutes' from ${series}`);
  await db.execute(sql`insert into deployments (external_id, service, environment, image_ref, digest, manifest_commit_sha, commit_sha, pipeline_provider,
      pipeline_run_id, actor, actor_type, status, deployed_at, source_updated_at)
    select 'dep-' || k || '-' || e.name, ${svc}, e.name, 'ghcr.io/bench/' || ${svc} || '@' || ${digestSql}, ${digestSql}, ${shaSql}, ${shaSql}, 'github-actions',
      (8000000000 + k)::text, 'deploy-bot', 'pipeline', 'success', ${at} + e.rank * interval '1 hour' + interval '10 minutes', ${at}
    from ${series} cross join environments e`);
  // Steady state, as autovacuum leaves a table: statistics, visibility map and hint bits set.
  await db.execute(sql`vacuum analyze`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function explain(h: DatabaseHandle, title: string, query: ReturnType<typeof sql>): Promise<void> {
  const rows = await queryRows<Record<string, string>>(h.db, sql`explain (analyze, buffers) ${query}`);
  process.stderr.write(`\n-- EXPLAIN (ANALYZE) ${title}\n${rows.map((r) => Object.values(r)[0]).join("\n")}\n`);
}

export async function benchEvidence(ctx: BenchContext): Promise<Figure[]> {
  const database = await benchDatabase(ctx.serverUrl, DB_NAME);
  const h = await openDatabase({ url: database.url });
  try {
    await migrate(h);
    const loadMs = await timed(() => load(h));
    const rand = (n: number) => Math.floor(Math.random() * n);
    const [digest] = await queryRows<{ d: string }>(h.db, sql`select ${sql.raw(`'sha256:' || md5('d' || 4242) || md5('e' || 4242)`)} as d`);
    const end = BASE + CHANGES * STEP_S * 1000;
    const stateAt = new Date(end - 86_400_000);
    await explain(
      h,
      "trace by digest: is it known, and its newest deployments (trace.ts)",
      sql`select exists (select 1 from deployments where digest = ${digest?.d ?? ""} union all select 1 from image_builds where digest = ${digest?.d ?? ""}) as found,
          array(select id from deployments where digest = ${digest?.d ?? ""} order by deployed_at desc, id desc limit 101) as ids`,
    );
    await explain(
      h,
      "environment state at: last successful deployment per service (state.ts)",
      sql`select d.id from services s cross join lateral (select id from deployments where service = s.name and environment = 'production'
          and deployed_at <= ${stateAt} and status = 'success' order by deployed_at desc, id desc limit 1) d`,
    );
    const [one] = await queryRows<{ id: number }>(h.db, sql`select id from deployments where external_id = 'dep-4242-production'`);
    await explain(h, "gather: one production deployment's whole evidence, one statement (gather.ts)", gatherQuery([Number(one?.id)], activePolicy().retainedImages));
    const stateIds = await currentDeploymentIds(h.db, "production", stateAt);
    await explain(h, `gather: the ${stateIds.length} deployments of a production state at`, gatherQuery(stateIds, activePolicy().retainedImages));
    const trace: number[] = [];
    const state: number[] = [];
    const idsOnly: number[] = [];
    const evaluate: number[] = [];
    const policy = activePolicy();
    for (let i = 0; i < RUNS; i++) {
      const k = rand(CHANGES);
      const [row] = await queryRows<{ d: string }>(h.db, sql`select 'sha256:' || md5('d' || ${k}::int) || md5('e' || ${k}::int) as d`);
      trace.push(await timed(() => traceRef(h.db, row?.d ?? "")));
      const at = new Date(BASE + rand(end - BASE));
      state.push(await timed(() => environmentStateAt(h.db, "production", at)));
      idsOnly.push(await timed(() => currentDeploymentIds(h.db, "production", at)));
      const [dep] = await queryRows<{ id: number }>(h.db, sql`select id from deployments where external_id = ${`dep-${k}-production`}`);
      evaluate.push(
        await timed(async () => {
          const ev = await gatherEvidence(h.db, [Number(dep?.id)], policy);
          for (const e of ev.values()) evaluateDeployment(e, policy);
        }),
      );
    }
    // The same two reads as a client makes them: through the production server's HTTP routes with a
    // read token (authentication, the route, JSON), after a warm-up that is not measured.
    const { token } = await createToken(h.db, { name: "bench-reader", scopes: ["read"], createdBy: "bench" });
    const server = await startServer(database.url, 3397);
    const traceHttp: number[] = [];
    const stateHttp: number[] = [];
    try {
      const get = async (p: string) => {
        const res = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        await res.arrayBuffer();
      };
      const digestOf = async (k: number) => (await queryRows<{ d: string }>(h.db, sql`select 'sha256:' || md5('d' || ${k}::int) || md5('e' || ${k}::int) as d`))[0]?.d ?? "";
      for (let i = 0; i < 20; i++) {
        await get(`/api/v1/trace/${await digestOf(rand(CHANGES))}`);
        await get(`/api/v1/environments/production/state?at=${encodeURIComponent(new Date(BASE + rand(end - BASE)).toISOString())}`);
      }
      for (let i = 0; i < RUNS; i++) {
        const d = await digestOf(rand(CHANGES));
        traceHttp.push(await timed(() => get(`/api/v1/trace/${d}`)));
        const at = new Date(BASE + rand(end - BASE)).toISOString();
        stateHttp.push(await timed(() => get(`/api/v1/environments/production/state?at=${encodeURIComponent(at)}`)));
      }
    } finally {
      await server.stop();
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    return [
      { figure: "evidence: GET /api/v1/trace/{digest} over HTTP with a read token, whole chains (p95)", value: round(percentile(traceHttp, 95)), unit: "ms", target: "< 50", reference: `production server, ${RUNS} random digests after 20 of warm-up; in-process p95 ${round(percentile(trace, 95))} ms` },
      {
        figure: `evidence: GET /api/v1/environments/production/state?at= over HTTP with a read token, ${SERVICES} services (p95)`,
        value: round(percentile(stateHttp, 95)),
        unit: "ms",
        target: "< 50",
        reference: `in-process p95 ${round(percentile(state, 95))} ms`,
      },
      { figure: "evidence: bulk load of 1,000,002 deployments with their chains (s)", value: round(loadMs / 1000), unit: "s", target: null },
      { figure: "evidence: trace by digest, whole chains, in-process call (p95)", value: round(percentile(trace, 95)), unit: "ms", target: null },
      { figure: `evidence: production state at a random time, ${SERVICES} services with whole chains, in-process call (p95)`, value: round(percentile(state, 95)), unit: "ms", target: null },
      { figure: "evidence: production state at, the per-service deployment query alone (p95)", value: round(percentile(idsOnly, 95)), unit: "ms", target: null },
      { figure: "evidence: gather + evaluate all gates for one deployment (p95)", value: round(percentile(evaluate, 95)), unit: "ms", target: "< 10" },
    ];
  } finally {
    await h.close();
    await database.drop();
  }
}
