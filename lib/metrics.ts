import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Queryable } from "@/db/client";
import { queryRows } from "@/db/client";
import { sql } from "drizzle-orm";
import { evaluationBacklog } from "./evaluation/queue";

/**
 * Prometheus metrics. Counters are per process (Prometheus sums the replicas); the gauges about
 * stored evidence (open findings by rule, ledger size) are read from the database at scrape time,
 * so every replica reports the same shared truth.
 */
interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  ingested: Counter<"source" | "status">;
  ingestDuration: Histogram<"source">;
  replays: Counter<"source">;
  findingsOpen: Gauge<"rule">;
  ledgerEvents: Gauge;
  evaluationQueue: Gauge<"state">;
  admissions: Counter<"result">;
  admissionMisses: Counter<"reason">;
  admissionDuration: Histogram;
}

function create(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    httpRequests: new Counter({
      name: "custody_http_requests_total",
      help: "API requests answered, by method, route and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "custody_http_request_duration_seconds",
      help: "API request latency in seconds",
      labelNames: ["method", "route"],
      buckets: seconds,
      registers: [registry],
    }),
    ingested: new Counter({
      name: "custody_ingest_deliveries_total",
      help: "Deliveries ingested, by source and ledger status (used, not-used, rejected) or duplicate",
      labelNames: ["source", "status"],
      registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: "custody_ingest_duration_seconds",
      help: "Time to verify, project, evaluate and append one ingest request, in seconds",
      labelNames: ["source"],
      buckets: seconds,
      registers: [registry],
    }),
    replays: new Counter({
      name: "custody_ingest_replays_total",
      help: "Webhook deliveries refused as replays: a body already stored under another delivery id",
      labelNames: ["source"],
      registers: [registry],
    }),
    findingsOpen: new Gauge({
      name: "custody_findings_open",
      help: "Open findings by rule, read from the database at scrape time",
      labelNames: ["rule"],
      registers: [registry],
    }),
    ledgerEvents: new Gauge({
      name: "custody_ledger_events",
      help: "Entries in the hash-chained ledger, read from the database at scrape time",
      registers: [registry],
    }),
    evaluationQueue: new Gauge({
      name: "custody_evaluation_queue",
      help: "Ingested batches not yet judged by the gate checks and drift rules (pending), and those set aside after failing (failed)",
      labelNames: ["state"],
      registers: [registry],
    }),
    admissions: new Counter({
      name: "custody_admission_reviews_total",
      help: "AdmissionReviews answered, by result (allowed, denied, warned, break-glass, unjudged)",
      labelNames: ["result"],
      registers: [registry],
    }),
    admissionMisses: new Counter({
      name: "custody_admission_misses_total",
      help: "AdmissionReviews Custody could not judge in time or at all; the failure policy answered (timeout, malformed, error)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    admissionDuration: new Histogram({
      name: "custody_admission_duration_seconds",
      help: "Time to judge one AdmissionReview, in seconds",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 1, 2.5],
      registers: [registry],
    }),
  };
}

// Next may load this module once per route bundle; one registry per process keeps the counts whole.
const g = globalThis as unknown as { __custodyMetrics?: Metrics };
function metrics(): Metrics {
  g.__custodyMetrics ??= create();
  return g.__custodyMetrics;
}

const knownRoutes = new Set<string>();
const maxRoutes = 200;

/** The path with ids, SHAs and digests folded to `:id`, so labels stay few. */
export function routeLabel(path: string): string {
  const route = path
    .split("/")
    .map((segment) => ((/\d/.test(segment) && !/^v\d+$/.test(segment)) || segment.length > 40 ? ":id" : segment))
    .join("/");
  if (knownRoutes.has(route)) return route;
  if (knownRoutes.size >= maxRoutes) return "other";
  knownRoutes.add(route);
  return route;
}

export function observeRequest(method: string, path: string, status: number, seconds: number): void {
  const m = metrics();
  const route = routeLabel(path);
  m.httpRequests.inc({ method, route, status: String(status) });
  m.httpDuration.observe({ method, route }, seconds);
}

/** Records one ingest call: each stored delivery under its ledger status, each repeat as duplicate. */
export function observeIngest(
  stored: readonly { source: string; status: string }[],
  duplicates: readonly { source: string }[],
  seconds: number,
  replays: readonly { source: string }[] = [],
): void {
  const m = metrics();
  for (const d of replays) m.replays.inc({ source: d.source });
  for (const d of stored) m.ingested.inc({ source: d.source, status: d.status });
  for (const d of duplicates) m.ingested.inc({ source: d.source, status: "duplicate" });
  const sources = new Set([...stored, ...duplicates].map((d) => d.source));
  for (const source of sources) m.ingestDuration.observe({ source }, seconds);
}

/** Records one admission answer; `miss` names why the failure policy answered instead of Custody. */
export function observeAdmission(result: string, seconds: number, miss: "timeout" | "malformed" | "error" | null): void {
  const m = metrics();
  m.admissions.inc({ result });
  if (miss !== null) m.admissionMisses.inc({ reason: miss });
  m.admissionDuration.observe(seconds);
}

/** The exposition text, after refreshing the gauges that come from the database. */
export async function renderMetrics(db: Queryable): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  const open = await queryRows<{ rule_id: string; n: number | string }>(
    db,
    sql`select rule_id, count(*) as n from findings where status = 'open' group by rule_id`,
  );
  m.findingsOpen.reset();
  for (const row of open) m.findingsOpen.set({ rule: row.rule_id }, Number(row.n));
  const head = await queryRows<{ seq: number | string }>(db, sql`select seq from chain_heads where chain = 'ledger'`);
  m.ledgerEvents.set(Number(head[0]?.seq ?? 0));
  const queue = await evaluationBacklog(db);
  m.evaluationQueue.set({ state: "pending" }, queue.pending);
  m.evaluationQueue.set({ state: "failed" }, queue.failed);
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}
