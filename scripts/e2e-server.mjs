#!/usr/bin/env node
// Starts the built app for the Playwright tests on a fresh database with the demo history:
// a new embedded data folder, or a new database on the server named by DATABASE_URL (dropped at exit).
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const port = process.env.E2E_PORT ?? "3210";
const cli = path.join(import.meta.dirname, "..", "bin", "custody.mjs");
// The suite signs in from 127.0.0.1 far more than 20 times in ten minutes (every role, every page).
// The journeys assert the demo's dates: its history ends at the fixed instant the tests know, not
// at the minute it is loaded as in a trial (lib/demo/generate.ts, DEMO_DEFAULT_END).
const env = { CUSTODY_SIGN_IN_LIMIT_PER_IP: "1000", ...process.env, PORT: port, CUSTODY_DEMO_END: "2026-11-27T12:00:00.000Z" };
let cleanup = async () => {};
// In a real database `custody demo` gives the demo accounts random passwords, printed once; the
// tests read them from this file (e2e/helpers.ts). Never left behind from an earlier run.
const passwordsFile = path.join(import.meta.dirname, "..", "test-results", "e2e-demo-passwords.json");
rmSync(passwordsFile, { force: true });

if (process.env.DATABASE_URL) {
  const server = process.env.DATABASE_URL;
  const name = `custody_e2e_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  // On a real database an operator configures the instance's signing key (the embedded trial makes its own):
  // a fresh Ed25519 key for this run, so signed packages can be downloaded and verified.
  if (!env.CUSTODY_SIGNING_KEY) env.CUSTODY_SIGNING_KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  // Set before anything can fail, so a failed demo load does not leave the database behind.
  cleanup = async () => {
    rmSync(passwordsFile, { force: true });
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  const demo = spawnSync(process.execPath, [cli, "demo", "--yes-load-demo-into", name], { env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (demo.status !== 0) {
    process.stderr.write(demo.stdout ?? "");
    await cleanup();
    process.exit(demo.status ?? 1);
  }
  const passwords = {};
  for (const m of demo.stdout.matchAll(/^\s+(admin|compliance|manager|auditor|engagement-auditor)\s+(\S+)\s+(\S+)$/gm)) passwords[m[1]] = m[3];
  if (Object.keys(passwords).length !== 5) {
    process.stderr.write(`e2e: expected five demo sign-ins from custody demo, got ${Object.keys(passwords).length}\n`);
    await cleanup();
    process.exit(1);
  }
  mkdirSync(path.dirname(passwordsFile), { recursive: true });
  writeFileSync(passwordsFile, JSON.stringify(passwords), { mode: 0o600 });
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), "custody-e2e-"));
  env.CUSTODY_DATA_DIR = path.join(dir, "pglite");
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
}

const child = spawn(process.execPath, [cli, "start"], { env, stdio: "inherit" });
let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  child.kill(signal);
  await new Promise((r) => child.once("exit", r));
  await cleanup().catch(() => undefined);
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
child.on("exit", async (code) => {
  if (stopping) return;
  await cleanup().catch(() => undefined);
  process.exit(code ?? 1);
});
