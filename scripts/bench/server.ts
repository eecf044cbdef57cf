import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";

const root = path.join(import.meta.dirname, "..", "..");

/** Waits until the evaluation queue has nothing left to judge (polled every 5 ms on `client`). */
export async function evaluationDrained(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from evaluation_queue where attempts < 3");
    if (Number(rows[0]?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A fresh database on the server, created for one benchmark and dropped by `drop()`. Named after
 * DATABASE_URL's database when that is not `postgres` (`custody_wt19` gives `custody_wt19_bench_ledger_1m`),
 * so engineers sharing a server only ever create and drop databases under their own prefix.
 */
export async function benchDatabase(serverUrl: string, benchName: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const own = decodeURIComponent(new URL(serverUrl).pathname.slice(1));
  const name = own && own !== "postgres" && /^[a-z0-9_]+$/.test(own) ? `${own}_${benchName.replace(/^custody_/, "")}` : benchName;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
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

/** Starts the production build (building it first if there is none) against `databaseUrl`. */
export async function startServer(databaseUrl: string, defaultPort: number, env: Record<string, string> = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  // BENCH_PORT: a port of one's own on a shared machine.
  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : defaultPort;
  const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
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
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
