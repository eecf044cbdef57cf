import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { config } from "../config";
import { demoLoaded, loadDemo } from "../demo/load";
import { DEMO_DEFAULT_DAYS } from "../demo/generate";
import { demoUsers } from "../demo/users";
import { ensureDemoUsers } from "../auth/users";
import { withDatabase } from "./database";
import { TrialSecretsError, trialSecrets } from "../trial-secrets";
import { CliError } from "./output";

const sourceDirs = ["app", "components", "lib", "db", "public"];
const sourceFiles = ["next.config.ts", "package.json", "package-lock.json", "tsconfig.json"];

function newestMtime(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of sourceDirs) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  for (const f of sourceFiles) if (existsSync(path.join(root, f))) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

/** Builds the app when there is no production build or the sources are newer than it. */
function ensureBuild(root: string): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestMtime(root)) return;
  process.stdout.write("Building Custody (first start, or the sources changed)…\n");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new CliError("next build failed (see the output above)");
}

async function waitForHealth(url: string, child: ReturnType<typeof spawn>): Promise<boolean> {
  for (let i = 0; i < 240; i += 1) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** `custody start`: migrate, load the demo into an empty embedded database, build if needed, serve. */
export async function start(): Promise<number> {
  const c = config();
  const root = process.env.CUSTODY_ROOT ?? process.cwd();
  const dataDir = path.resolve(root, c.dataDir);
  process.env.CUSTODY_DATA_DIR = dataDir;
  if (!c.databaseUrl) {
    // Refuse to start on a secrets file others can read (or create it, owner-only).
    try {
      trialSecrets(dataDir);
    } catch (error) {
      if (error instanceof TrialSecretsError) throw new CliError(error.message);
      throw error;
    }
  }

  const demo = await withDatabase(async ({ db, driver }) => {
    if (driver !== "pglite") return { note: "Postgres from DATABASE_URL (demo data only with `npx custody demo`)", users: false };
    if (await demoLoaded(db)) {
      await ensureDemoUsers(db);
      return { note: `embedded database in ${dataDir} (demo already loaded)`, users: true };
    }
    process.stdout.write("Loading the demo history into the embedded database…\n");
    const r = await loadDemo(db);
    return { note: `embedded database in ${dataDir} (demo loaded: ${r.accepted} events, ${DEMO_DEFAULT_DAYS} days up to ${r.end.toISOString().slice(0, 16).replace("T", " ")} UTC)`, users: true };
  });

  ensureBuild(root);
  const url = `http://localhost:${c.port}`;
  const child = spawn(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(c.port)], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  if (await waitForHealth(url, child)) {
    process.stdout.write(`\nCustody is running at ${url}\n  database: ${demo.note}\n  stop it with Ctrl-C\n\n`);
    if (demo.users) {
      process.stdout.write(`Sign in at ${url}/sign-in as one of the demo users (sample data only):\n`);
      for (const u of demoUsers) process.stdout.write(`  ${u.role.padEnd(18)} ${u.email.padEnd(26)} ${u.password}\n`);
      process.stdout.write("\n");
    }
  }
  return new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}
