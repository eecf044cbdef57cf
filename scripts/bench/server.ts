import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { MAX_ATTEMPTS } from "@/lib/evaluation/queue";

const root = path.join(import.meta.dirname, "..", "..");

/** What a drain left behind: rows set aside after failing MAX_ATTEMPTS times, and the first error. */
export interface DrainResult {
  failed: number;
  firstError: string | null;
}

/**
 * Waits until the evaluation queue has nothing left to judge (polled every 5 ms on `client`),
 * counting the rows that failed instead of being judged: a row set aside after MAX_ATTEMPTS
 * failures leaves the pending set too, so without this a bench could stop its clock on failures.
 */
export async function evaluationDrained(client: pg.Client, timeoutMs = 600_000): Promise<DrainResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ pending: string; failed: string; first_error: string | null }>(
      `select count(*) filter (where attempts < $1) as pending, count(*) filter (where attempts >= $1) as failed,
              (select last_error from evaluation_queue where attempts >= $1 order by id limit 1) as first_error
         from evaluation_queue`,
      [MAX_ATTEMPTS],
    );
    const row = rows[0];
    if (Number(row?.pending ?? 0) === 0) return { failed: Number(row?.failed ?? 0), firstError: row?.first_error ?? null };
    if (Date.now() > deadline) throw new BenchRefused(`the evaluation queue did not drain in ${timeoutMs / 1000} s (${row?.pending} rows pending)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A bench that cannot give an honest figure throws this; the runner prints the reason and no figure. */
export class BenchRefused extends Error {}

/** Refuses the figure when any queued evaluation failed; otherwise returns the line every reference carries. */
export function noFailures(phase: string, r: DrainResult): string {
  if (r.failed > 0) throw new BenchRefused(`${phase}: ${r.failed} evaluation queue rows failed, no figure printed (first error: ${(r.firstError ?? "").split("\n")[0]?.slice(0, 300)})`);
  return "0 failed queue rows";
}

/**
 * A fresh database on the server, created for one benchmark and dropped by `drop()`. Named after
 * DATABASE_URL's database when that is not `postgres` (`custody_wt19` gives `custody_wt19_bench_ledger_1m`),
 * so engineers sharing a server only ever create and drop databases under their own prefix.
 */
export async function benchDatabase(
  serverUrl: string,
  benchName: string,
  opts: { keep?: boolean; create?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const own = decodeURIComponent(new URL(serverUrl).pathname.slice(1));
  const name = own && own !== "postgres" && /^[a-z0-9_]+$/.test(own) ? `${own}_${benchName.replace(/^custody_/, "")}` : benchName;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  if (opts.keep) {
    // A kept database (scale's BENCH_SCALE_KEEP): created when missing, never dropped first.
    const { rows } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (rows.length === 0 && opts.create !== false) await admin.query(`CREATE DATABASE ${name}`);
  } else {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** What the production build is made from (tests and docs excluded): a change to any of it makes the build stale. */
const BUILD_SOURCES = ["app", "lib", "db", "components", "proxy.ts", "instrumentation.ts", "instrumentation-node.ts", "next.config.ts", "package-lock.json"];

/** The newest modification time (ms) among the build's sources. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== "node_modules" && !name.startsWith(".")) visit(path.join(p, name));
    } else if (!/\.test\.tsx?$/.test(p) && st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const s of BUILD_SOURCES) visit(path.join(root, s));
  return newest;
}

/**
 * Starts the production build against `databaseUrl`, building it first when there is none or when
 * a source is newer than it: a bench must not time yesterday's code (the build is not redone by
 * editing, checking out or rebasing, and `next start` serves whatever `.next` holds).
 */
export async function startServer(databaseUrl: string, defaultPort: number, env: Record<string, string> = {}): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
  // BENCH_PORT or CUSTODY_BENCH_PORT: a port of one's own on a shared machine.
  const port = Number(process.env.CUSTODY_BENCH_PORT ?? process.env.BENCH_PORT ?? defaultPort);
  const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const buildId = path.join(root, ".next", "BUILD_ID");
  const stale = existsSync(buildId) && statSync(buildId).mtimeMs < newestSource();
  if (stale) process.stderr.write("bench: the production build is older than its sources: building it again\n");
  if (!existsSync(buildId) || stale) {
    const r = spawnSync(process.execPath, [next, "build"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) throw new Error("next build failed");
  }
  const child: ChildProcess = spawn(process.execPath, [next, "start", "-p", String(port)], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1", CUSTODY_LOG_LEVEL: "warn" },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i += 1) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* starting */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
