#!/usr/bin/env node
// The load generator of the HTTP benchmarks, a process of its own (from outside the server):
// autocannon at a fixed concurrency, a warm-up that is not measured, then the measured run.
// Input: the path of a JSON file { url, kind: "health" | "webhook", connections, seconds, warmupSeconds,
// secret?, payloads?: [{ event, body }] }. Output: one JSON line { requests, rate, p50, p99, non2xx, errors }.
// Each webhook delivery is distinct: its own X-GitHub-Delivery and a body made unique by a nonce
// field (GitHub's example payloads repeat; a repeated body is a replay, which stores nothing).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

// The input is a JSON file's path (the payloads do not fit in an argument list).
const input = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
let n = 0;

function webhookRequest() {
  const p = input.payloads[n % input.payloads.length];
  n += 1;
  const id = `${process.pid}-${Date.now()}-${n}`;
  const body = `{"custody_bench_nonce":"${id}",${p.body.slice(1)}`;
  return {
    method: "POST",
    path: "/api/v1/webhooks/github",
    headers: {
      "content-type": "application/json",
      "x-github-event": p.event,
      "x-github-delivery": `bench-${id}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", input.secret).update(body).digest("hex")}`,
    },
    body,
  };
}

function options(seconds) {
  const base = { url: input.url, connections: input.connections, duration: seconds, timeout: 30 };
  if (input.kind === "health") return { ...base, url: `${input.url}/api/health`, method: "GET" };
  return { ...base, requests: [{ setupRequest: (req) => ({ ...req, ...webhookRequest() }) }] };
}

const run = (seconds) =>
  new Promise((resolve, reject) => {
    autocannon(options(seconds), (err, result) => (err ? reject(err) : resolve(result)));
  });

if (input.warmupSeconds > 0) await run(input.warmupSeconds);
const r = await run(input.seconds);
process.stdout.write(
  `${JSON.stringify({
    requests: r.requests.total,
    rate: r.requests.total / (r.duration || input.seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: r.statusCodeStats,
  })}\n`,
);
