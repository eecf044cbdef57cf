import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { Client } from "pg";
import { openDatabase, queryRows, readerBeside, type DatabaseHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { detectDrift } from "@/lib/drift";
import { EVIDENCE_WORK_MEM, snapshotEvidenceQuery } from "@/lib/drift/gather";
import { clusterSnapshot, podsToSnapshot } from "@/lib/ingest/kubernetes";
import { applyEvents } from "@/lib/projections/apply";
import { emptyTouched } from "@/lib/projections/touched";
import { createToken } from "@/lib/auth/tokens";
import type { BenchContext, Figure } from "./figure";
import { benchDatabase, evaluationDrained, noFailures, startServer } from "./server";
import { benchRowsFromCli } from "./sources";

const DB_NAME = "custody_bench_drift";
const SERVICES = 1_000;
/** One pod in a hundred runs a digest nobody deployed: the findings path is exercised, not only the clean one. */
const DRIFTING_EVERY = 100;

export interface DriftBenchSize {
  deployments: number;
  pods: number;
  /** Deployments, StatefulSets... in the snapshot beside the pods (kubectl get pods,deploy,...,cm,secret). */
  controllers: number;
  /** ConfigMaps and Secrets, half each, read by the first controllers (one of each). */
  configs: number;
}

const digestOf = (k: number): string => `sha256:${createHash("sha256").update(String(k)).digest("hex")}`;

/**
 * Release k went development -> staging -> production (deployments 3k, 3k+1, 3k+2), one minute apart, built by CI.
 * The builds of the releases a snapshot runs (the last `pods`) carry SLSA v1 provenance as GitHub's
 * attest-build-provenance writes it (~2.3 KB: the workflow, the run, a dozen resolved dependencies,
 * the builder's id), which drift reads the builder from; the older builds carry none.
 */
export async function load(h: DatabaseHandle, { deployments: DEPLOYMENTS, pods: PODS }: DriftBenchSize): Promise<void> {
  await benchRowsFromCli(h.db);
  await h.db.execute(sql`insert into environments (name, rank, is_production) values ('development', 0, false), ('staging', 1, false), ('production', 2, true) on conflict (name) do nothing`);
  await h.db.execute(sql`
    insert into image_builds (service, repository, digest, tags, commit_sha, pipeline_provider, pipeline_run_id, builder, built_at)
    select 'svc-' || (k % ${SERVICES}), 'ghcr.io/bench/svc-' || (k % ${SERVICES}), 'sha256:' || encode(sha256(convert_to(k::text, 'UTF8')), 'hex'),
      array[substr(md5(k::text), 1, 12)], md5(k::text), 'github-actions', 'run-' || k, 'github-actions', timestamptz '2025-01-01' + (k * 3) * interval '1 minute'
    from generate_series(0, ${Math.floor((DEPLOYMENTS - 1) / 3)}) k`);
  await h.db.execute(sql`
    update image_builds b set provenance = jsonb_build_object(
      '_type', 'https://in-toto.io/Statement/v1',
      'subject', jsonb_build_array(jsonb_build_object('name', b.repository, 'digest', jsonb_build_object('sha256', substr(b.digest, 8)))),
      'predicateType', 'https://slsa.dev/provenance/v1',
      'predicate', jsonb_build_object(
        'buildDefinition', jsonb_build_object(
          'buildType', 'https://actions.github.io/buildtypes/workflow/v1',
          'externalParameters', jsonb_build_object('workflow', jsonb_build_object('ref', 'refs/heads/main', 'repository', 'https://github.com/bench/' || b.service, 'path', '.github/workflows/release.yml')),
          'internalParameters', jsonb_build_object('github', jsonb_build_object('event_name', 'push', 'repository_id', md5(b.service), 'repository_owner_id', '4242')),
          'resolvedDependencies', (select jsonb_agg(jsonb_build_object('uri', 'git+https://github.com/bench/dep-' || i || '@refs/heads/main', 'digest', jsonb_build_object('gitCommit', md5(b.digest || i) || substr(md5(b.digest), 1, 8)))) from generate_series(1, 12) i)),
        'runDetails', jsonb_build_object(
          'builder', jsonb_build_object('id', 'https://github.com/actions/runner/github-hosted'),
          'metadata', jsonb_build_object('invocationId', 'https://github.com/bench/' || b.service || '/actions/runs/' || b.pipeline_run_id || '/attempts/1'))))
    where b.built_at > timestamptz '2025-01-01' + (${Math.floor((DEPLOYMENTS - 1) / 3) - PODS} * 3) * interval '1 minute'`);
  await h.db.execute(sql`
    insert into deployments (external_id, service, environment, image_ref, digest, pipeline_provider, pipeline_run_id, actor, deployed_at, source_updated_at)
    select 'bench-' || g, 'svc-' || ((g / 3) % ${SERVICES}), (array['development', 'staging', 'production'])[g % 3 + 1],
      'ghcr.io/bench/svc-' || ((g / 3) % ${SERVICES}) || '@sha256:' || encode(sha256(convert_to((g / 3)::text, 'UTF8')), 'hex'),
      'sha256:' || encode(sha256(convert_to((g / 3)::text, 'UTF8')), 'hex'), 'github-actions', 'run-' || g, 'github-actions[bot]',
      timestamptz '2025-01-01' + g * interval '1 minute', timestamptz '2025-01-01' + g * interval '1 minute'
    from generate_series(0, ${DEPLOYMENTS - 1}) g`);
  // Steady state: otherwise autovacuum starts on the million fresh rows during the timed snapshot.
  await h.db.execute(sql`vacuum analyze`);
}

/** `kubectl get pods -A -o json` for the latest release of 10,000 workloads, as the cluster reports it. */
export function podList(lastRelease: number, at: string, PODS: number): unknown {
  const items = Array.from({ length: PODS }, (_, i) => {
    const k = lastRelease - i;
    const service = `svc-${k % SERVICES}`;
    const digest = i % DRIFTING_EVERY === 0 ? `sha256:${createHash("sha256").update(`hotfix-${k}`).digest("hex")}` : digestOf(k);
    const name = `app-${k}`;
    return {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: `${name}-5d8f7c9b6-${String(i).padStart(5, "0")}`,
        namespace: `team-${k % 40}`,
        labels: { "app.kubernetes.io/name": service, "pod-template-hash": "5d8f7c9b6" },
        annotations: { "checksum/config": createHash("sha256").update(`config-${k}`).digest("hex") },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-5d8f7c9b6`, uid: `uid-${k}`, controller: true }],
        creationTimestamp: at,
        managedFields: [{ manager: "kube-controller-manager", operation: "Update", time: at }],
      },
      spec: { containers: [{ name: "app", image: `ghcr.io/bench/${service}@${digest}` }] },
      status: { phase: "Running", containerStatuses: [{ name: "app", image: `ghcr.io/bench/${service}@${digest}`, imageID: `ghcr.io/bench/${service}@${digest}`, ready: true }] },
    };
  });
  return { apiVersion: "v1", kind: "List", items };
}

/**
 * `kubectl get deploy,cm,secret -A -o json` items beside the pods: Deployments written by the
 * pipeline's client-side apply at their release (one in a hundred later by kubectl-edit), the
 * first of them reading one ConfigMap and one Secret each; with `edited`, one ConfigMap in a
 * hundred holds other data than at its release.
 */
export function clusterObjects(lastRelease: number, at: string, controllers: number, configs: number, edited: boolean): Record<string, unknown>[] {
  const pairs = Math.floor(configs / 2);
  const released = (k: number) => new Date(Date.parse("2025-01-01T00:00:00Z") + (k * 3 + 2) * 60_000).toISOString();
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < controllers; i++) {
    const k = lastRelease - i;
    const service = `svc-${k % SERVICES}`;
    const name = `app-${k}`;
    const managers = [
      { apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:template": {} } }, manager: "kubectl-client-side-apply", operation: "Update", time: released(k) },
      { apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": {} }, manager: "kube-controller-manager", operation: "Update", subresource: "status", time: at },
      ...(i % DRIFTING_EVERY === 1 ? [{ apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } }, manager: "kubectl-edit", operation: "Update", time: at }] : []),
    ];
    const reads = i < pairs;
    items.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: `team-${k % 40}`, labels: { "app.kubernetes.io/name": service }, creationTimestamp: released(k), managedFields: managers },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { "app.kubernetes.io/name": service } },
          spec: {
            containers: [{ name: "app", image: `ghcr.io/bench/${service}@${digestOf(k)}`, ...(reads ? { envFrom: [{ secretRef: { name: `${name}-db` } }] } : {}) }],
            ...(reads ? { volumes: [{ name: "config", configMap: { name: `${name}-config` } }] } : {}),
          },
        },
      },
    });
    if (!reads) continue;
    const changed = edited && i % DRIFTING_EVERY === 2;
    items.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-config`, namespace: `team-${k % 40}` }, data: { "app.yaml": `release: ${k}\nlimit: ${changed ? 20 : 10}\n` } });
    items.push({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: `${name}-db`, namespace: `team-${k % 40}` }, data: { password: Buffer.from(`pw-${k}`).toString("base64") } });
  }
  return items;
}

/** The whole snapshot as `custody snapshot k8s` sends it: pods, controllers, and ConfigMap/Secret hashes. */
function snapshotOf(size: DriftBenchSize, lastRelease: number, id: string, environment: string, at: string, edited: boolean) {
  const pods = podList(lastRelease, at, size.pods) as { items: unknown[] };
  pods.items.push(...clusterObjects(lastRelease, at, size.controllers, size.configs, edited));
  return clusterSnapshot(pods, { environment, id, observedAt: at });
}

/**
 * The snapshot stored (committed, as ingestion does), then only drift detection timed, in the
 * evaluator's own transaction and reading aside as it does.
 */
async function timeDriftOnly(h: DatabaseHandle, id: string, at: string, lastRelease: number, size: DriftBenchSize): Promise<number> {
  const event = snapshotOf(size, lastRelease, id, "production", at, true);
  const touched = await h.db.transaction((tx) => applyEvents(tx, [event], emptyTouched()));
  return h.db.transaction(async (tx) => {
    const started = performance.now();
    await detectDrift(tx, touched, readerBeside(h.db));
    return performance.now() - started;
  });
}

/** Snapshots POSTed one after another in one run (CUSTODY_BENCH_DRIFT_RUNS): the first is the environment's first, the others consecutive. */
const RUNS = Math.max(1, Number(process.env.CUSTODY_BENCH_DRIFT_RUNS ?? 5));

type HttpRun = { total: number; stored: number };

/**
 * Request to findings written, as a cluster agent sees it: each snapshot POSTed to the production
 * build (`next start`), answered 202 once stored and queued; then the server's own worker judges it,
 * and the clock stops when its queue row is gone (polled every 5 ms on another connection), not at
 * the 202. RUNS snapshots, an hour apart, the first of them the environment's first.
 */
async function timeSnapshotsHttp(dbUrl: string, at: (run: number) => string, lastRelease: number, size: DriftBenchSize): Promise<{ runs: HttpRun[]; failed: string }> {
  const h = await openDatabase({ url: dbUrl });
  const { token } = await createToken(h.db, { name: "bench-agent", scopes: ["ingest"], createdBy: "bench" });
  await h.close();
  // 10,000 pods with 2,000 controllers and 3,000 ConfigMaps/Secrets is ~6 MB of JSON: over the 5 MiB
  // general body limit, taken under the snapshot limit (CUSTODY_MAX_SNAPSHOT_BYTES, 32 MiB) with the defaults.
  const server = await startServer(dbUrl, Number(process.env.CUSTODY_BENCH_PORT ?? 3398));
  const watch = new Client({ connectionString: dbUrl });
  await watch.connect();
  const post = (body: string) => fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
  try {
    // Warm-up (not measured): a fresh server's first request loads and JIT-compiles the route, the
    // validation and the drift rules. A 1,000-pod snapshot of an environment of its own (rank 0:
    // not staging, not production) touches no evidence the measured snapshots are judged on.
    const warmAt = new Date(Date.parse(at(0)) - 60_000).toISOString();
    const w = await post(JSON.stringify(podsToSnapshot(podList(lastRelease, warmAt, 1_000), { environment: "bench-warmup", id: "bench-warmup", observedAt: warmAt })));
    if (w.status !== 202) throw new Error(`events answered ${w.status}: ${await w.text()}`);
    noFailures("drift warm-up snapshot", await evaluationDrained(watch));
    const runs: HttpRun[] = [];
    let failed = "";
    for (let run = 0; run < RUNS; run++) {
      const body = JSON.stringify(snapshotOf(size, lastRelease, `bench-snapshot-http-${run}`, "production", at(run), false));
      if (run === 0) process.stderr.write(`drift: the measured snapshots are ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MiB each\n`);
      const started = performance.now();
      const res = await post(body);
      if (res.status !== 202) throw new Error(`events answered ${res.status}: ${await res.text()}`);
      const stored = performance.now() - started;
      failed = noFailures(`drift snapshot ${run + 1}`, await evaluationDrained(watch));
      runs.push({ total: performance.now() - started, stored });
      process.stderr.write(`drift: snapshot ${run + 1}/${RUNS}: findings after ${Math.round(runs[run]?.total ?? 0)} ms (202 after ${Math.round(stored)} ms)\n`);
    }
    return { runs, failed };
  } finally {
    await watch.end();
    await server.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** The plan of the snapshot's evidence statement (the one that dominates), as drift runs it: without JIT, with its work_mem. */
async function explainGather(h: DatabaseHandle, externalId: string): Promise<void> {
  await h.db.transaction(async (tx) => {
    const [s] = await queryRows<{ id: number | string; observed_at: Date | string }>(tx, sql`select id, observed_at from snapshots where external_id = ${externalId}`);
    if (!s) return;
    const snap = { id: Number(s.id), externalId, environment: "production", observedAt: new Date(s.observed_at), isProduction: true };
    await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', ${EVIDENCE_WORK_MEM}, true)`);
    const rows = await queryRows<Record<string, string>>(tx, sql`explain (analyze, buffers) ${snapshotEvidenceQuery(snap, null)}`);
    process.stderr.write(`\n-- EXPLAIN (ANALYZE) drift: snapshot evidence statement, ${externalId}\n${rows.map((r) => Object.values(r)[0]).join("\n")}\n`);
  });
}

/**
 * Drift detection at scale: 1,000,000 deployments loaded set-based, then RUNS production snapshots
 * (10,000 pods, 2,000 controllers, 3,000 ConfigMaps/Secrets) POSTed to the production server and
 * judged by its evaluation queue (gate and drift evaluation, findings) until settled, then drift
 * evaluation alone for one more, consecutive one (config baselines from the earlier ones, 1 in 100
 * ConfigMaps edited), and the plan of its evidence statement.
 */
export async function benchDrift(ctx: BenchContext, size: DriftBenchSize = { deployments: 1_000_000, pods: 10_000, controllers: 2_000, configs: 3_000 }): Promise<Figure[]> {
  const { deployments: DEPLOYMENTS, pods: PODS } = size;
  const objects = `${PODS.toLocaleString("en")} pods + ${size.controllers.toLocaleString("en")} controllers + ${size.configs.toLocaleString("en")} ConfigMaps/Secrets`;
  const database = await benchDatabase(ctx.serverUrl, DB_NAME);
  const h = await openDatabase({ url: database.url });
  try {
    await migrate(h);
    const loadStarted = performance.now();
    await load(h, size);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const lastRelease = Math.floor((DEPLOYMENTS - 1) / 3);
    const end = new Date(Date.parse("2025-01-01T00:00:00Z") + DEPLOYMENTS * 60_000);
    const hour = (k: number) => new Date(end.getTime() + k * 3_600_000).toISOString();
    const http = await timeSnapshotsHttp(database.url, (run) => hour(run + 1), lastRelease, size);
    const second = await timeDriftOnly(h, "bench-snapshot-alone", hour(RUNS + 1), lastRelease, size);
    await explainGather(h, "bench-snapshot-alone");
    const [counts] = await queryRows<{ open: number | string }>(h.db, sql`select count(*) as open from findings where status = 'open' and rule_id like 'drift.%' and environment = 'production'`);
    const reference = `${DEPLOYMENTS.toLocaleString("en")} deployments, ${objects}, 1 in ${DRIFTING_EVERY} drifting; ${String(counts?.open ?? 0)} open drift findings in production; load ${loadSeconds.toFixed(1)} s`;
    const totals = http.runs.map((r) => r.total);
    const first = http.runs[0] ?? { total: 0, stored: 0 };
    const runs = `${RUNS} snapshots POSTed one after another (the first the environment's first, then consecutive ones an hour apart), after one 1,000-pod warm-up snapshot of another environment; ${http.failed}`;
    return [
      {
        figure: `drift: snapshot of ${objects} POSTed to the production server, request to findings written, p50 of ${RUNS}`,
        value: Math.round(median(totals)),
        unit: "ms",
        target: "< 1500",
        reference: `${reference}; ${runs}; all: ${totals.map((t) => Math.round(t)).join(", ")} ms`,
      },
      {
        figure: `drift: snapshot of ${objects} POSTed to the production server, request to findings written, worst of ${RUNS}`,
        value: Math.round(Math.max(...totals)),
        unit: "ms",
        target: "< 1500",
        reference: `${reference}; ${runs}`,
      },
      {
        figure: `drift: snapshot of ${objects} POSTed to the production server, request to findings written, the environment's first snapshot`,
        value: Math.round(first.total),
        unit: "ms",
        target: "< 1500",
        reference: `${reference}; ${runs}`,
      },
      {
        figure: `drift: snapshot of ${objects} POSTed to the production server, request to 202 (stored and queued), p50 of ${RUNS}`,
        value: Math.round(median(http.runs.map((r) => r.stored))),
        unit: "ms",
        target: null,
        reference: `${reference}; all: ${http.runs.map((r) => Math.round(r.stored)).join(", ")} ms`,
      },
      { figure: `drift: snapshot of ${objects}, consecutive snapshot (1 in 100 ConfigMaps edited): drift evaluation alone, in-process`, value: Math.round(second), unit: "ms", target: null, reference },
    ];
  } finally {
    await h.close();
    await database.drop();
  }
}
