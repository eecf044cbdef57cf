#!/usr/bin/env node
// `npm test`: the whole suite, in order, stopping at the first failing stage:
// type check, lint, unit + integration tests (Vitest), production build, end-to-end tests (Playwright).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const started = Date.now();
const log = (msg) => process.stdout.write(`\n\u25b6 ${msg}\n`);

function run(label, cmd, args, env = {}) {
  log(label);
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  if (r.status !== 0) {
    process.stdout.write(`\n\u2716 ${label} failed (exit ${r.status ?? r.signal}) after ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
    summary();
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`\u2714 ${label} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
}

function ensureTools() {
  if (!existsSync(path.join(root, "node_modules", ".bin", "next"))) run("npm ci (dependencies missing)", "npm", ["ci"]);
  const missing = [];
  if (!existsSync(chromium)) missing.push("chromium");
  if (spawnSync("sh", ["-c", "command -v pdftotext"]).status !== 0) missing.push("poppler-utils");
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0) {
    process.stderr.write(`missing ${missing.join(", ")}: install them (Debian: apt-get install -y ${missing.join(" ")}) or set CHROMIUM_PATH\n`);
    process.exit(1);
  }
  run(`apt-get install ${missing.join(" ")}`, "sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(" ")}`]);
}

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.test\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib", "db", "public"]) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  for (const f of ["next.config.ts", "package-lock.json", "tsconfig.json", "instrumentation.ts", "proxy.ts"]) {
    if (existsSync(path.join(root, f))) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  }
  return newest;
}

/** A hash of everything the suite tests and runs with: two runs with the same hash test the same code. */
function sourceHash() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else hash.update(path.relative(root, p)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  for (const d of ["app", "components", "lib", "db", "public", "e2e", "scripts", "bin", "docs"]) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  for (const f of ["package-lock.json", "next.config.ts", "tsconfig.json", "playwright.config.ts", "vitest.config.ts", "instrumentation.ts", "proxy.ts"]) {
    if (existsSync(path.join(root, f))) hash.update(f).update("\0").update(readFileSync(path.join(root, f))).update("\0");
  }
  return hash.digest("hex");
}

// Some stages give the same verdict whichever database the suite runs on: the type check, the lint, and the
// accessibility audit (it judges the pages' markup, which is the same whichever engine holds the demo history).
// When one of them has passed on the embedded database for exactly these sources (CI's first run), the Postgres
// run right after it does not repeat it, and says so under its summary. After any change to the sources, or with
// no embedded run before it, the Postgres run does them all.
const A11Y_TITLE = "accessibility violation";
const passedFile = path.join(root, "test-results", "passed-on-embedded.json");
const sources = sourceHash();
const passedBefore = (() => {
  if (!process.env.DATABASE_URL || !existsSync(passedFile)) return {};
  const m = JSON.parse(readFileSync(passedFile, "utf8"));
  return m.sources === sources ? m.stages : {};
})();
const passedNow = {};
function remember(stage, detail) {
  if (process.env.DATABASE_URL) return;
  passedNow[stage] = { at: new Date().toISOString(), detail };
  writeFileSync(passedFile, JSON.stringify({ sources, stages: passedNow }));
}
const notRerun = [];

/** Runs stages side by side (unless they passed on the embedded database for these sources), each one's output printed whole when it ends. */
async function runOnceTogether(stages) {
  const todo = stages.filter(({ stage, label }) => {
    const before = passedBefore[stage];
    if (!before) return true;
    notRerun.push(`${label} passed on the embedded database at ${before.at} for these same sources`);
    log(`${label}: passed on the embedded database for these same sources, not rerun`);
    return false;
  });
  const results = await Promise.all(
    todo.map(
      ({ label, cmd, args }) =>
        new Promise((resolve) => {
          const t = Date.now();
          const chunks = [];
          const child = spawn(cmd, args, { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
          child.stdout.on("data", (d) => chunks.push(d));
          child.stderr.on("data", (d) => chunks.push(d));
          child.on("error", (e) => chunks.push(Buffer.from(String(e))));
          child.on("close", (code, signal) => resolve({ label, status: code ?? signal, output: Buffer.concat(chunks), seconds: (Date.now() - t) / 1000 }));
        }),
    ),
  );
  let failed;
  for (const [i, r] of results.entries()) {
    log(r.label);
    process.stdout.write(r.output);
    if (r.status === 0) {
      process.stdout.write(`\u2714 ${r.label} (${r.seconds.toFixed(0)} s)\n`);
      remember(todo[i].stage);
    } else {
      process.stdout.write(`\n\u2716 ${r.label} failed (exit ${r.status}) after ${r.seconds.toFixed(0)} s\n`);
      failed ??= r.status;
    }
  }
  if (failed !== undefined) {
    summary();
    process.exit(typeof failed === "number" ? failed : 1);
  }
}

const counts = { passed: 0, failed: 0, skipped: 0 };
function readCounts() {
  const v = path.join(root, "test-results", "vitest.json");
  if (existsSync(v)) {
    const j = JSON.parse(readFileSync(v, "utf8"));
    counts.passed += j.numPassedTests ?? 0;
    counts.failed += j.numFailedTests ?? 0;
    counts.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  }
  const p = path.join(root, "test-results", "playwright.json");
  if (existsSync(p)) {
    const s = JSON.parse(readFileSync(p, "utf8")).stats ?? {};
    counts.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    counts.failed += s.unexpected ?? 0;
    counts.skipped += s.skipped ?? 0;
  }
}
function summary() {
  readCounts();
  const db = process.env.DATABASE_URL ? "Postgres (DATABASE_URL)" : "embedded PGlite";
  process.stdout.write(`\nAll stages on ${db}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  for (const line of notRerun) process.stdout.write(`  not rerun: ${line}\n`);
  // Each test file that skips says why (lib/testing/requires.ts); list the reasons once.
  const skips = path.join(root, "test-results", "skipped.jsonl");
  if (existsSync(skips)) {
    const seen = new Set();
    for (const line of readFileSync(skips, "utf8").split("\n")) {
      if (!line.trim() || seen.has(line)) continue;
      seen.add(line);
      const s = JSON.parse(line);
      process.stdout.write(`  skipped: ${s.file}: ${s.what} (${s.reason})\n`);
    }
  }
}

mkdirSync(path.join(root, "test-results"), { recursive: true });
for (const f of ["vitest.json", "playwright.json", "skipped.jsonl", ...(process.env.DATABASE_URL ? [] : ["passed-on-embedded.json"])]) {
  const p = path.join(root, "test-results", f);
  if (existsSync(p)) spawnSync("rm", ["-f", p]);
}
ensureTools();
// Both keep a cache in node_modules/.cache, so the second run of the suite (CI runs it on each database) only re-checks what changed.
// Each is single-threaded: side by side they take the time of the longer one.
await runOnceTogether([
  { stage: "typecheck", label: "type check (tsc)", cmd: bin("tsc"), args: ["--noEmit", "-p", ".", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/tsc/tsbuildinfo"] },
  { stage: "lint", label: "lint (eslint)", cmd: bin("eslint"), args: ["--max-warnings=0", "--cache", "--cache-strategy", "content", "--cache-location", "node_modules/.cache/eslint/", "."] },
]);
run("unit and integration tests (vitest)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json"]);
const buildId = path.join(root, ".next", "BUILD_ID");
if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSource()) run("production build (next build)", bin("next"), ["build"]);
else log("production build is up to date with the sources");
const a11yBefore = passedBefore.accessibility;
if (a11yBefore) {
  notRerun.push(`the accessibility audit (${a11yBefore.detail} tests) passed on the embedded database at ${a11yBefore.at} for these same sources`);
  run("end-to-end tests (playwright, chromium; the accessibility audit passed on the embedded database)", bin("playwright"), ["test", "--grep-invert", A11Y_TITLE], { CHROMIUM_PATH: chromium });
} else {
  run("end-to-end tests (playwright, chromium)", bin("playwright"), ["test"], { CHROMIUM_PATH: chromium });
  const report = JSON.parse(readFileSync(path.join(root, "test-results", "playwright.json"), "utf8"));
  let audits = 0;
  const collect = (suite) => {
    for (const spec of suite.specs ?? []) if (spec.title.includes(A11Y_TITLE) && spec.ok) audits += 1;
    for (const child of suite.suites ?? []) collect(child);
  };
  for (const suite of report.suites ?? []) collect(suite);
  if (audits > 0) remember("accessibility", audits);
}
summary();
