// Probe, not a test: sweeps a running server over HTTP with hostile values and lists every 5xx.
// Every field of real bodies (the demo's events of each type, the GitHub, GitLab, Flux and Sigstore
// fixtures, decisions, audit events, the session routes' JSON) is replaced in turn by values a broken
// or hostile client sends; every read route's query parameters and path segments too; and, with a
// session, every page's. A 4xx is the contract; a 5xx is a bug (the run exits 1).
//
//   SWEEP_URL=http://127.0.0.1:3213 SWEEP_TOKEN=cust_... (scopes ingest,read)
//   GITHUB_WEBHOOK_SECRET=... GITLAB_WEBHOOK_SECRET=...   (as the server has them; else those parts are skipped)
//   SWEEP_ADMIN=email:password SWEEP_AUDITOR=email:password  (optional: the session routes and the pages)
//   SWEEP_ONLY=events,gitlab,flux,sigstore,github,decisions,audit,encodings,read,session,pages   (default: all)
//   SWEEP_SERVER_LOG=/path/to/the/server's/output   (strongly advised: a page streams, so a statement
//     failing under a Suspense boundary or in a prefetch still answers 200; its error is only in the log)
//   npx tsx scripts/probe/hostile-sweep.ts
//
// It writes: run it against a database made for it (docs/developers.md, "Probing with hostile input").
import { createHmac, createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright";
import { generateDemoEvents } from "@/lib/demo";
import { examplesOf } from "@/lib/ingest/github/test-examples";

const base = process.env.SWEEP_URL ?? "http://127.0.0.1:3213";
const token = process.env.SWEEP_TOKEN ?? "";
const root = path.join(import.meta.dirname, "..", "..");
const only = process.env.SWEEP_ONLY?.split(",");
const want = (part: string) => !only || only.includes(part);

const hostile: unknown[] = [
  null, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, "", " ", "x".repeat(5000), "2026-13-45T99:99:99Z", "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00", "99999999999999999999", "../../etc/passwd", "sha256:zz", [], {}, true,
  [null], [{}], Array.from({ length: 2000 }, (_, i) => i), "NaN", "\u202e\u0301", "😀".repeat(300),
];
const hostileParams = [
  "", " ", "-1", "0", "1e999", "99999999999999999999", "NaN", "null", "[]", "2026-13-45", "2026-02-30T25:61:61Z", "0000-01-01",
  "0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00", "275760-09-13T00:00:00Z", "x".repeat(5000), "%ZZ", "a,b", "../x",
  "sha256:" + "a".repeat(64), "acme/shop#999999999999999999999", "' or 1=1 --", "\u202e", "😀", "1.5", "true",
];

type Path = (string | number)[];
function pathsOf(node: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      const p = [...at, Array.isArray(node) ? Number(k) : k];
      out.push(p);
      pathsOf(v, p, out);
    }
  }
  return out;
}
function replaced(root: unknown, p: Path, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of p.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[p[p.length - 1] as string | number] = value;
  return copy;
}

/** Where the server's log stood when the sweep began: only what it logs from here on counts. */
const logStart = process.env.SWEEP_SERVER_LOG ? readFileSync(process.env.SWEEP_SERVER_LOG, "utf8").split("\n").length - 1 : 0;
const counts = new Map<string, number>();
const failures: string[] = [];
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}
async function request(part: string, what: string, url: string, init: RequestInit): Promise<void> {
  const res = await fetch(base + url, { redirect: "manual", ...init });
  const key = `${part} ${res.status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  const text = await res.text();
  if (res.status >= 500) failures.push(`${part} ${res.status} ${what}: ${text.slice(0, 200)}`);
}

/** Every field (at most `maxPaths` of them, evenly spread) replaced by each hostile value, and the whole body by a few. */
async function sweepBody(part: string, body: unknown, send: (body: unknown, n: number) => { url: string; text: string; headers: Record<string, string> }, maxPaths = 400): Promise<void> {
  const all = pathsOf(body);
  const step = Math.max(1, Math.ceil(all.length / maxPaths));
  const variants: [string, unknown][] = [["the body itself", body], ["an array of it", [body]], ["a string", "x"], ["null", null]];
  for (let i = 0; i < all.length; i += step) {
    const p = all[i] as Path;
    for (const v of hostile) variants.push([`${p.join(".")} = ${JSON.stringify(v).slice(0, 40)}`, replaced(body, p, v)]);
  }
  let n = 0;
  await pool(variants, 8, async ([what, b]) => {
    const r = send(b, n++);
    await request(part, what, r.url, { method: "POST", body: r.text, headers: { "content-type": "application/json", ...r.headers } });
  });
}

const bearer = { authorization: `Bearer ${token}` };
const json = (url: string, headers: Record<string, string> = bearer) => (b: unknown) => ({ url, text: JSON.stringify(b), headers });

if (want("events")) {
  const byType = new Map<string, Record<string, unknown>>();
  for (const e of generateDemoEvents() as unknown as Record<string, unknown>[]) if (!byType.has(String(e.type))) byType.set(String(e.type), e);
  for (const [type, event] of byType) {
    await sweepBody(`events:${type}`, event, (b, n) => {
      const e = b as Record<string, unknown>;
      if (e && typeof e === "object" && typeof e.id === "string") e.id = `${e.id}-sweep-${Date.now()}-${n}`;
      return json("/api/v1/events")(e);
    }, type === "snapshot" ? 300 : 400);
  }
}
if (want("gitlab") && process.env.GITLAB_WEBHOOK_SECRET) {
  const dir = path.join(root, "lib/ingest/gitlab/fixtures");
  const events: Record<string, string> = { push: "Push Hook", "tag-push": "Tag Push Hook", "merge-request": "Merge Request Hook", pipeline: "Pipeline Hook", job: "Job Hook", deployment: "Deployment Hook", release: "Release Hook", emoji: "Emoji Hook" };
  for (const f of readdirSync(dir).filter((f) => f.endsWith("-hook.json"))) {
    const event = events[f.replace(/-hook\.json$/, "")] ?? "Push Hook";
    await sweepBody(`gitlab:${f}`, JSON.parse(readFileSync(path.join(dir, f), "utf8")), (b, n) => {
      const id = `sweep-${f}-${Date.now()}-${n}`;
      return json("/api/v1/webhooks/gitlab", { "x-gitlab-token": process.env.GITLAB_WEBHOOK_SECRET ?? "", "x-gitlab-event": event, "x-gitlab-event-uuid": id, "idempotency-key": id })(b);
    }, 250);
  }
}
if (want("flux")) {
  const dir = path.join(root, "lib/ingest/flux/fixtures");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    await sweepBody(`flux:${f}`, JSON.parse(readFileSync(path.join(dir, f), "utf8")), json("/api/v1/webhooks/flux?environment=production"));
  }
}
if (want("sigstore")) {
  const dir = path.join(root, "lib/provenance/fixtures");
  const digest = `sha256:${createHash("sha256").update(readFileSync(path.join(dir, "sigstore-js-2.1.0.tgz"))).digest("hex")}`;
  for (const f of ["sigstore-js-2.1.0-bundle.json", "sigstore-js-2.1.0-bundle-v0.1.json"]) {
    await sweepBody(`sigstore:${f}`, JSON.parse(readFileSync(path.join(dir, f), "utf8")), json(`/api/v1/attestations/sigstore?digest=${digest}`), 200);
  }
}
if (want("github") && process.env.GITHUB_WEBHOOK_SECRET) {
  for (const name of ["push", "pull_request_review", "workflow_job", "check_run", "deployment_status", "package"] as const) {
    const example = examplesOf(name)[0]?.payload;
    if (!example) continue;
    await sweepBody(`github:${name}`, example, (b, n) => {
      const text = JSON.stringify(b);
      const signature = `sha256=${createHmac("sha256", process.env.GITHUB_WEBHOOK_SECRET ?? "").update(text).digest("hex")}`;
      return { url: "/api/v1/webhooks/github", text, headers: { "x-github-event": name, "x-github-delivery": `sweep-${name}-${Date.now()}-${n}`, "x-hub-signature-256": signature } };
    }, 250);
  }
}
if (want("decisions")) {
  await sweepBody("decisions", { gate: "production-apply", environment: "production", service: "checkout", digest: `sha256:${"a".repeat(64)}` }, json("/api/v1/decisions"));
  await sweepBody("decisions:pr", { gate: "merge", environment: "production", pullRequest: "acme/shop#12" }, json("/api/v1/decisions"));
}
if (want("audit")) {
  const event = {
    kind: "Event", apiVersion: "audit.k8s.io/v1", level: "Metadata", auditID: "0a1b2c3d-0000-4000-8000-000000000001", stage: "ResponseComplete",
    requestURI: "/api/v1/namespaces/shop/pods/checkout-1/exec?command=sh", verb: "create", user: { username: "alice@example.com", groups: ["system:authenticated"] },
    sourceIPs: ["10.0.0.1"], userAgent: "kubectl/v1.30.0", objectRef: { resource: "pods", namespace: "shop", name: "checkout-1", apiVersion: "v1", subresource: "exec" },
    responseStatus: { metadata: {}, code: 101 }, requestReceivedTimestamp: "2026-11-20T10:00:00.000000Z", stageTimestamp: "2026-11-20T10:00:00.100000Z",
  };
  await sweepBody("k8s-audit", { kind: "EventList", apiVersion: "audit.k8s.io/v1", items: [event] }, (b, n) => {
    const items = (b as { items?: unknown })?.items;
    const first = Array.isArray(items) ? (items[0] as Record<string, unknown> | undefined) : undefined;
    if (first && typeof first === "object" && typeof first.auditID === "string") first.auditID = `0a1b2c3d-0000-4000-8000-${String(Date.now() % 1e6).padStart(6, "0")}${String(n).padStart(6, "0")}`;
    return json("/api/v1/k8s/audit?environment=production")(b);
  });
}
if (want("encodings")) {
  // Compressed bodies: bombs past every route's limit, bytes that are not the named coding, codings not read.
  const zeros = Buffer.alloc(100 * 1024 * 1024);
  const sent: [string, string, Buffer][] = [
    ["gzip bomb (100 MiB of zeros)", "gzip", zlib.gzipSync(zeros)],
    ["br bomb (100 MiB of zeros)", "br", zlib.brotliCompressSync(zeros)],
    ["deflate bomb (100 MiB of zeros)", "deflate", zlib.deflateSync(zeros)],
    ["gzip of gzip bomb", "gzip, gzip", zlib.gzipSync(zlib.gzipSync(zeros))],
    ["plain JSON called gzip", "gzip", Buffer.from('{"id":"x"}')],
    ["truncated gzip", "gzip", zlib.gzipSync('{"id":"x","type":"attestation"}').subarray(0, 20)],
    ["garbage called br", "br", Buffer.from([0xff, 0xfe, 0xfd, 0x00])],
    ["raw deflate", "deflate", zlib.deflateRawSync('{"id":"x"}')],
    ["empty gzip", "gzip", Buffer.alloc(0)],
    ["three codings", "gzip, gzip, gzip", Buffer.from("x")],
    ["zstd", "zstd", Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
    ["an empty coding", "gzip,,", zlib.gzipSync("{}")],
  ];
  const targets: [string, Record<string, string>][] = [
    ["/api/v1/events", bearer],
    ["/api/v1/webhooks/flux?environment=production", bearer],
    ["/api/v1/attestations/sigstore", bearer],
    ["/api/v1/decisions", bearer],
    ["/api/v1/k8s/audit?environment=production", bearer],
    ["/api/v1/incidents", bearer],
    ["/api/v1/webhooks/github", { "x-github-event": "push", "x-github-delivery": "sweep-encodings", "x-hub-signature-256": "sha256=00" }],
    // Unconfigured, GitLab's route answers the contract's 503 UNAVAILABLE to a body it can read.
    ...(process.env.GITLAB_WEBHOOK_SECRET ? [["/api/v1/webhooks/gitlab", { "x-gitlab-token": "wrong", "x-gitlab-event": "Push Hook" }] as [string, Record<string, string>]] : []),
  ];
  const cases = targets.flatMap(([url, headers]) => sent.map(([what, coding, body]) => ({ url, headers, what, coding, body })));
  await pool(cases, 4, async (c) =>
    request(`encodings:${c.url.split("?")[0]}`, c.what, c.url, { method: "POST", body: new Uint8Array(c.body), headers: { "content-type": "application/json", "content-encoding": c.coding, ...c.headers } }),
  );
}
if (want("read")) {
  const routes: [string, string[]][] = [
    ["/api/v1/environments", []], ["/api/v1/environments/production/state", ["at"]], ["/api/v1/promotion", ["at"]],
    ["/api/v1/deployments", ["environment", "service", "from", "to", "cursor", "limit"]], ["/api/v1/findings", ["status", "rule", "environment", "service", "cursor", "limit", "from", "to"]],
    ["/api/v1/incidents", ["cursor", "status", "limit"]], ["/api/v1/reports/soc2", ["from", "to", "format", "kind", "sample", "seed"]], ["/api/v1/reports/iso27001", ["from", "to", "format"]],
    ["/api/v1/ledger/verify", []], ["/api/v1/ledger/checkpoints", ["from", "cursor"]], ["/api/v1/ledger/proof/inclusion", ["index", "treeSize"]],
    ["/api/v1/ledger/proof/consistency", ["from", "to"]], ["/api/v1/ledger/checkpoint", []], ["/api/v1/keys", []],
  ];
  const urls: string[] = [];
  for (const [route, params] of routes) {
    urls.push(route);
    for (const p of params) for (const v of hostileParams) urls.push(`${route}?${p}=${encodeURIComponent(v)}`);
    if (params.length > 1) for (const v of hostileParams) urls.push(`${route}?${params.map((p) => `${p}=${encodeURIComponent(v)}`).join("&")}`);
  }
  const segments = ["%00", "x".repeat(3000), "-1", "0", "99999999999999999999", "1e5", `sha256:${"a".repeat(64)}`, "acme%2Fshop%23999999999999999999999", "..%2F..%2Fetc", "%E2%80%AE", "%FF"];
  for (const r of ["/api/v1/deployments/", "/api/v1/trace/", "/api/v1/incidents/", "/api/v1/findings/", "/api/v1/environments/", "/api/v1/reports/"]) for (const s of segments) urls.push(r + s, `${r}${s}/state`);
  await pool(urls, 6, (u) => request("read", u.slice(0, 120), u, { headers: bearer }));
}

async function sessionCookie(credentials: string | undefined): Promise<string | null> {
  if (!credentials) return null;
  const [email, ...rest] = credentials.split(":");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("Email").fill(email ?? "");
    await page.getByLabel("Password").fill(rest.join(":"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
    return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await browser.close();
  }
}
const admin = want("session") || want("pages") ? await sessionCookie(process.env.SWEEP_ADMIN) : null;
const auditor = want("session") ? await sessionCookie(process.env.SWEEP_AUDITOR) : null;
const session = (url: string, cookie: string) => (b: unknown) => ({ url, text: JSON.stringify(b), headers: { cookie, origin: base } });
if (want("session") && admin) {
  await sweepBody("engagements", { name: "Sweep", framework: "soc2", from: "2026-01-01", to: "2026-06-30", environments: "production", services: "checkout", endsAt: "2026-12-31" }, session("/api/v1/engagements", admin));
  await sweepBody("auditors", { email: "new-auditor@example.com", name: "New Auditor" }, session("/api/v1/engagements/1/auditors", admin));
  await sweepBody("incidents", { owner: "admin@custody.demo", findingIds: [1], title: "Sweep", environment: "production" }, session("/api/v1/incidents", admin));
  await sweepBody("steps", { step: "identify", notes: "x", evidence: "https://example.com", doneAt: "2026-11-20T10:00:00Z" }, session("/api/v1/incidents/1/steps", admin));
  await sweepBody("waivers", { justification: "accepted risk for the sweep", expiresAt: "2026-12-30T00:00:00Z" }, session("/api/v1/findings/1/waivers", admin));
  await sweepBody("subscriptions", { name: "Sweep", kind: "webhook", url: "https://example.com/hook", topics: ["finding"], minSeverity: "high", environments: ["production"] }, session("/api/v1/notifications/subscriptions", admin));
}
if (want("session") && auditor) {
  await sweepBody("sample", { size: 5, seed: "abc", reason: "redraw" }, session("/api/v1/engagements/1/sample", auditor));
  await sweepBody("requests", { title: "Show me", body: "the approvals", changeId: "1" }, session("/api/v1/engagements/1/requests", auditor));
}
if (want("pages") && admin) {
  const pages = ["/", "/audit-log", "/engagements", "/environments", "/environments/production", "/findings", "/incidents", "/posture", "/promotion", "/reports", "/settings/notifications", "/settings/tokens", "/settings/users", "/trace", "/deployments/1", "/findings/1", "/incidents/1", "/engagements/1", "/trace/abc"];
  const params = ["from", "to", "at", "cursor", "status", "environment", "service", "rule", "ref", "limit", "actor", "action", "format", "kind"];
  const urls: string[] = [];
  for (const p of pages) for (const k of params) for (const v of hostileParams) urls.push(`${p}?${k}=${encodeURIComponent(v)}`);
  await pool(urls, 4, (u) => request("pages", u.slice(0, 120), u, { headers: { cookie: admin } }));
}

for (const [key, n] of [...counts].sort()) console.log(`${key.padEnd(60)} ${n}`);
console.log(`${[...counts.values()].reduce((a, b) => a + b, 0)} requests, ${failures.length} answered 5xx`);
for (const f of failures) console.log(f);
// The server's own errors while the sweep ran: Custody's JSON log lines at level error, and Next's `⨯` lines
// with the cause Postgres gave.
const logged: string[] = [];
if (process.env.SWEEP_SERVER_LOG) {
  const lines = readFileSync(process.env.SWEEP_SERVER_LOG, "utf8").split("\n").slice(logStart);
  lines.forEach((line, i) => {
    if (line.includes('"level":"error"')) logged.push(line.slice(0, 300));
    else if (line.startsWith("⨯")) {
      const cause = lines.slice(i, i + 40).find((l) => l.includes("[cause]"));
      logged.push(`${line.slice(0, 200)}${cause ? ` (${cause.trim().slice(0, 160)})` : ""}`);
    }
  });
  console.log(`the server logged ${logged.length} errors meanwhile`);
  for (const l of logged) console.log(l);
}
process.exitCode = failures.length > 0 || logged.length > 0 ? 1 : 0;
