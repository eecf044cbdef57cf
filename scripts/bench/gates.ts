import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "@/db/client";
import { migrate } from "@/db/migrate";
import { createToken } from "@/lib/auth/tokens";
import { load } from "./evidence";
import { percentile, type BenchContext, type Figure } from "./figure";
import { benchDatabase, startServer } from "./server";

const DB_NAME = "custody_bench_gates";
const CHANGES = 333_334;
const RATE = 50;
const SECONDS = 30;
const ALLOWED = 2_000;
const root = path.resolve(import.meta.dirname, "..", "..");

/**
 * Sends RATE requests a second for SECONDS, open loop (each leaves on schedule whether or not the
 * previous ones answered), and returns each answered request's latency; a request that throws
 * (a connection the server dropped: the API server would apply the failure policy) is counted.
 */
async function openLoop(send: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; byIndex: Map<number, number>; errors: number }> {
  const latencies: number[] = [];
  const byIndex = new Map<number, number>();
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < RATE * SECONDS; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      (async () => {
        const t0 = performance.now();
        try {
          await send(i);
          const ms = performance.now() - t0;
          latencies.push(ms);
          byIndex.set(i, ms);
        } catch {
          errors++;
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  return { latencies, byIndex, errors };
}

const digestSql = sql`'sha256:' || md5('d' || k) || md5('e' || k)`;

/** An AdmissionReview as the API server sends it for a Deployment create with two containers. */
function review(uid: string, digests: [string, string]): string {
  const containers = digests.map((d, i) => ({ name: `c${i}`, image: `ghcr.io/bench/svc@${d}` }));
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      requestKind: { group: "apps", version: "v1", kind: "Deployment" },
      requestResource: { group: "apps", version: "v1", resource: "deployments" },
      name: `svc-${uid}`,
      namespace: "production",
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller", groups: ["system:serviceaccounts"] },
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `svc-${uid}`, namespace: "production" }, spec: { template: { spec: { containers } } } },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  });
}

function cli(args: string[]): Promise<{ status: number | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "custody.mjs"), ...args], { cwd: root, stdio: "ignore", env: { ...process.env, DATABASE_URL: undefined } });
    child.on("close", (status) => resolve({ status, ms: performance.now() - t0 }));
  });
}

/**
 * The admission webhook through the production build, against 1,000,002 deployments (the evidence
 * bench's set-up): Deployment creates in an enforced namespace at 50 requests/s, open loop (each
 * request leaves on schedule whether or not the previous one answered), half of them with digests
 * that have an allow decision, half refused (no decision: a ledger entry each); digests random
 * over the million, so most verdicts miss the cache. Then `custody assert --url` end to end.
 */
export async function benchGates(ctx: BenchContext): Promise<Figure[]> {
  const database = await benchDatabase(ctx.serverUrl, DB_NAME);
  const h = await openDatabase({ url: database.url });
  try {
    await migrate(h);
    await load(h);
    // Allow decisions for the first ALLOWED changes' digests in production, as `assert` leaves them.
    await h.db.execute(sql`insert into gate_decisions (decision_id, gate, environment, service, digest, decision, checks, policy_version, requested_by, ledger_seq, decided_at)
      select 'bench-' || k, 'deployment', 'production', 'svc-' || (k % 50), ${digestSql}, 'allow', '[]'::jsonb, 'bench', 'token:bench', 0, now()
      from generate_series(0, ${ALLOWED - 1}) k`);
    await h.db.execute(sql`analyze gate_decisions`);
    // The set-up wrote ~GBs of WAL: write its dirty pages out now, so a checkpoint the load set off
    // does not run during the measured minute (every refusal's commit waits for a WAL flush).
    await h.db.execute(sql`checkpoint`);
    const { token: webhookToken } = await createToken(h.db, { name: "bench-k8s", scopes: ["admission"], createdBy: "bench" });
    const { token } = await createToken(h.db, { name: "bench-ci", scopes: ["ingest"], createdBy: "bench" });
    const { token: reader } = await createToken(h.db, { name: "bench-metrics", scopes: ["read"], createdBy: "bench" });
    const digestRows = await queryRows<{ k: number; d: string }>(
      h.db,
      sql`select k, 'sha256:' || md5('d' || k) || md5('e' || k) as d from (select (random() * ${CHANGES - 1})::int as k from generate_series(1, ${RATE * SECONDS})) x`,
    );
    const allowedRows = await queryRows<{ d: string }>(h.db, sql`select digest as d from gate_decisions order by random() limit ${RATE * SECONDS}`);
    const server = await startServer(database.url, 3301, { CUSTODY_ADMISSION_NAMESPACES: "production=enforce:production" });
    try {
      const post = (body: string) =>
        fetch(`${server.url}/api/v1/admission`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${webhookToken}` }, body });
      // Warm-up (not measured): the route's first requests load and compile it.
      for (let i = 0; i < 50; i++) await post(review(`warm-${i}`, [allowedRows[i]?.d ?? "", allowedRows[i + 1]?.d ?? ""])).catch(() => undefined);
      for (let i = 0; i < 10; i++) await fetch(`${server.url}/api/health`).catch(() => undefined);

      // Reference, same run: `GET /api/health` (one `select 1`) at the same rate, open loop, for
      // the same time: the floor of a route served by Next on this machine at this moment.
      const health = await openLoop(() => fetch(`${server.url}/api/health`).then((res) => res.json()));

      let refused = 0;
      let allowed = 0;
      let encoded = 0;
      const admission = await openLoop(async (i) => {
        const allowedCase = i % 2 === 0;
        const a = allowedCase ? (allowedRows[i]?.d ?? "") : (digestRows[i]?.d ?? "");
        const b = allowedCase ? (allowedRows[(i + 7) % allowedRows.length]?.d ?? "") : (digestRows[(i + 7) % digestRows.length]?.d ?? "");
        const res = await post(review(`bench-${i}`, [a, b]));
        if (res.headers.get("content-encoding")) encoded++;
        const answer = (await res.json()) as { response?: { allowed?: boolean } };
        if (answer.response?.allowed) allowed++;
        else refused++;
      });
      const round = (n: number) => Math.round(n * 10) / 10;
      const { latencies, errors } = admission;
      // Admitted (even i) and refused (odd i: a ledger entry each, answered after its commit) apart.
      const ofKind = (even: boolean) => [...admission.byIndex].filter(([i]) => (i % 2 === 0) === even).map(([, ms]) => ms);
      const kinds = (["admitted", "refused"] as const).map((k, j) => {
        const l = ofKind(j === 0);
        return `${k} p50 ${round(percentile(l, 50))} ms, p99 ${round(percentile(l, 99))} ms`;
      });
      const metrics = await (await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${reader}` } })).text();
      const misses = [...metrics.matchAll(/^custody_admission_misses_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      // The server's own judging time (custody_admission_duration_seconds, warm-up included): how
      // many reviews took longer than 10 and 30 ms inside the handler, against the client's tail.
      const bucket = (le: string) => Number(new RegExp(`^custody_admission_duration_seconds_bucket\\{le="${le}"\\} (\\d+)`, "m").exec(metrics)?.[1] ?? NaN);
      const judged = bucket("\\+Inf");
      const slowJudging = `judged in the server: ${judged - bucket("0.01")} of ${judged} over 10 ms, ${judged - bucket("0.03")} over 30 ms`;

      // `custody assert` end to end: a process start, one decision through the server, the answer printed.
      const assertRuns: number[] = [];
      for (let i = 0; i < 5; i++) {
        const [row] = await queryRows<{ d: string }>(h.db, sql`select 'sha256:' || md5('d' || ${1000 + i}::int) || md5('e' || ${1000 + i}::int) as d`);
        const r = await cli(["assert", "--gate", "production-apply", "--environment", "production", "--digest", row?.d ?? "", "--url", server.url, "--token", token]);
        if (r.status !== 0 && r.status !== 1) throw new Error(`custody assert exited ${r.status}`);
        assertRuns.push(r.ms);
      }
      return [
        { figure: `gates: admission webhook at ${RATE} req/s, 1M deployments, p50`, value: round(percentile(latencies, 50)), unit: "ms", target: null, reference: `${allowed} admitted, ${refused} refused, ${errors} connection errors, ${encoded} answers compressed; ${kinds.join("; ")}` },
        { figure: `gates: admission webhook at ${RATE} req/s, 1M deployments, p99`, value: round(percentile(latencies, 99)), unit: "ms", target: "< 30", reference: `GET /api/health at ${RATE} req/s in the same run: p50 ${round(percentile(health.latencies, 50))} ms, p99 ${round(percentile(health.latencies, 99))} ms, ${health.errors} connection errors; ${slowJudging}` },
        { figure: "gates: admission reviews answered by the failure policy (misses)", value: misses, unit: "reviews", target: "<= 0" },
        { figure: "gates: custody assert --url end to end (median of 5, process start included)", value: round(percentile(assertRuns, 50)), unit: "ms", target: null },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await h.close();
    await database.drop();
  }
}
