#!/usr/bin/env node
// Starts the Next.js standalone output the way the container does and checks it end to end:
// a deployed server refuses to start without its configuration, /api/health answers, one event
// posted to /api/v1/events is accepted (202), and SIGTERM lets an in-flight request finish.
// Run after `next build`. Uses DATABASE_URL (a fresh database on that server) or a fresh PGlite folder.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = process.cwd();
const standalone = path.join(root, ".next", "standalone");
const secrets = { CUSTODY_SESSION_SECRET: randomBytes(24).toString("hex"), GITHUB_WEBHOOK_SECRET: randomBytes(24).toString("hex") };
const cleanups = [];

function step(msg) {
  process.stdout.write(`smoke: ${msg}\n`);
}

function fail(msg) {
  throw new Error(msg);
}

/** The same assembly as the Dockerfile's build stage. */
function assemble() {
  if (!existsSync(path.join(standalone, "server.js"))) fail("no .next/standalone/server.js: run `next build` first");
  // The PDF report reads its fonts from disk; next.config.ts's outputFileTracingIncludes copies them.
  for (const font of ["noto-sans/400Regular/NotoSans_400Regular.ttf", "noto-sans/700Bold/NotoSans_700Bold.ttf", "noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf", "noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf"]) {
    if (!existsSync(path.join(standalone, "node_modules", "@expo-google-fonts", font))) fail(`the PDF font ${font} is missing from the standalone output`);
  }
  cpSync(path.join(root, ".next", "static"), path.join(standalone, ".next", "static"), { recursive: true });
  if (existsSync(path.join(root, "public"))) cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });
  cpSync(path.join(root, "db", "migrations"), path.join(standalone, "db", "migrations"), { recursive: true });
  cpSync(path.join(root, "scripts", "migrate.mjs"), path.join(standalone, "scripts", "migrate.mjs"));
  if (!existsSync(path.join(standalone, "node_modules", "drizzle-orm"))) {
    cpSync(path.join(root, "node_modules", "drizzle-orm"), path.join(standalone, "node_modules", "drizzle-orm"), { recursive: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Env for a child: this process's PATH and nothing of its Custody configuration. */
function cleanEnv(extra) {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), NEXT_TELEMETRY_DISABLED: "1" };
  return { ...env, ...extra };
}

function startServer(env) {
  const child = spawn(process.execPath, [path.join(standalone, "server.js")], { cwd: standalone, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (output.stdout += d));
  child.stderr.on("data", (d) => (output.stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
  return { child, output, exited };
}

const timeout = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms));

async function waitHealthy(base, server) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) fail(`server exited early (${server.child.exitCode}): ${server.output.stderr.slice(-800)}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.status === 200) return res.json();
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`/api/health never answered 200: ${server.output.stderr.slice(-800)}`);
}

async function freshDatabase(serverUrl) {
  const { default: pg } = await import("pg");
  const name = `custody_smoke_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function run(args, env, cwd = root) {
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) fail(`${args.join(" ")} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** POSTs the event with its body split in two, sending SIGTERM to the server in between. */
function postDuringShutdown(base, token, event, server) {
  const body = Buffer.from(JSON.stringify(event));
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/api/v1/events`,
      { method: "POST", headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${token}` } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on("error", reject);
    req.write(body.subarray(0, half));
    setTimeout(() => {
      server.child.kill("SIGTERM");
      setTimeout(() => req.end(body.subarray(half)), 1500);
    }, 300);
  });
}

async function main() {
  assemble();
  step("standalone output assembled (static, public, migrations, migrator)");

  const refused = startServer(cleanEnv({ CUSTODY_MODE: "server", PORT: String(await freePort()), HOSTNAME: "127.0.0.1" }));
  const r = await Promise.race([refused.exited, timeout(60_000, "server without DATABASE_URL should exit")]);
  if (r.code !== 1 || !refused.output.stderr.includes("custody: invalid configuration: DATABASE_URL is required when CUSTODY_MODE=server")) {
    fail(`a server without DATABASE_URL did not refuse to start (exit ${r.code}): ${refused.output.stderr.slice(-500)}`);
  }
  step("CUSTODY_MODE=server without DATABASE_URL refuses to start, naming the variable");

  let dbEnv;
  if (process.env.DATABASE_URL) {
    const url = await freshDatabase(process.env.DATABASE_URL);
    const out = run([path.join(standalone, "scripts", "migrate.mjs")], cleanEnv({ DATABASE_URL: url }), standalone);
    step(`migration entrypoint inside the standalone output: ${out.trim()}`);
    dbEnv = { DATABASE_URL: url, CUSTODY_MODE: "server", ...secrets };
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), "custody-smoke-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    dbEnv = { CUSTODY_DATA_DIR: path.join(dir, "pglite") };
  }
  const created = run([path.join(root, "bin", "custody.mjs"), "token", "create", "--name", "smoke", "--scopes", "ingest"], cleanEnv(dbEnv));
  const token = created.trim().split("\n").pop() ?? "";
  step("ingest token created with the CLI before the server starts");

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(cleanEnv({ ...dbEnv, PORT: String(port), HOSTNAME: "127.0.0.1" }));
  const health = await waitHealthy(base, server);
  step(`/api/health: ${JSON.stringify(health)}`);

  const event = { id: `smoke-${Date.now()}`, type: "attestation", occurredAt: new Date().toISOString(), attestationType: "backup-verification", subject: "production", result: "pass" };
  const res = await fetch(`${base}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "smoke-1" },
    body: JSON.stringify(event),
  });
  const text = await res.text();
  if (res.status !== 202) fail(`POST /api/v1/events answered ${res.status}: ${text}`);
  step(`POST /api/v1/events: 202 ${text}`);
  const access = server.output.stdout.split("\n").find((l) => l.includes('"requestId":"smoke-1"'));
  if (!access || !access.includes('"status":202')) fail(`no JSON access line for the request: ${server.output.stdout.slice(-500)}`);

  const inflight = await postDuringShutdown(base, token, { ...event, id: `${event.id}-late` }, server);
  if (inflight.status !== 202) fail(`the request in flight at SIGTERM answered ${inflight.status}: ${inflight.text}`);
  const exit = await Promise.race([server.exited, timeout(15_000, "server exit after SIGTERM")]);
  step(`SIGTERM: the in-flight request finished (202), then the server exited (${exit.code ?? exit.signal})`);
}

let code = 0;
try {
  await main();
  step("ok");
} catch (error) {
  process.stderr.write(`smoke: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
process.exit(code);
