import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "./route";
import { createTestDataDir } from "@/db/testing";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { runCli, spawnCli } from "@/lib/testing/cli";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";

const dir = mkdtempSync(path.join(os.tmpdir(), "custody-assert-"));
const pipelineEnv = { env: { CUSTODY_DATA_DIR: path.join(dir, "pglite"), DATABASE_URL: undefined, GITHUB_ACTIONS: undefined } };
/** The CLI's own entry in this process (lib/testing/cli.ts), as a pipeline step runs it, on an embedded database of its own. */
const custody = (args: string[]) => runCli(args, pipelineEnv);
/** The real CLI in a process of its own: the exit status a pipeline step fails on. */
const spawned = (args: string[]) => spawnCli(args, pipelineEnv);

vi.setConfig({ testTimeout: 300_000 });

const skipped = change({ key: "cli-skip", skipStaging: true });
const noProduction = { events: skipped.events.filter((e) => !String(e.id).includes("production")) };

let t: RouteHarness;
let server: Server;
let url = "";
beforeAll(async () => {
  await createTestDataDir(path.join(dir, "pglite"));
  t = await setupRouteHarness();
  await ingestEvents(t.handle.db, noProduction, JSON.stringify(noProduction));
  await evaluationSettled(t.handle.db);
  // The real route handler behind a plain HTTP server, as `--url` reaches a running Custody.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = new Request(`http://localhost${req.url ?? "/"}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      void POST(request, { params: Promise.resolve({}) }).then(async (r) => {
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
        res.end(await r.text());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  // A beforeAll that failed before listening leaves no server to wait for.
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("custody assert: the pipeline step", () => {
  it("exits 1 on deny locally and says which evidence is missing and how to send it", async () => {
    const file = path.join(dir, "events.json");
    writeFileSync(file, JSON.stringify(noProduction));
    expect((await custody(["push", file])).status).toBe(0);
    const r = await spawned(["assert", "--gate", "production-apply", "--environment", "production", "--digest", skipped.digest]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`DENY: ${skipped.digest} may not pass the production-apply gate to production.`);
    expect(r.stdout).toMatch(/✗ prod\.staging-verified .*\n\s+found: .*never successfully deployed to staging/);
    expect(r.stdout).toMatch(/to fix: deploy sha256:\S+ to staging first, then send its staging verification: npx custody push/);
  });

  it("exits 0 on allow against a running server (--url, --token)", async () => {
    const r = await custody(["assert", "--gate", "merge", "--environment", "production", "--pr", skipped.pr, "--url", url, "--token", t.tokens.ingest]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("ALLOW:");
    expect(r.status).toBe(0);
  });

  it("exits non-zero and says why when the question is wrong", async () => {
    const r = await custody(["assert", "--gate", "release", "--environment", "production", "--digest", skipped.digest, "--url", url, "--token", t.tokens.ingest]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("must be one of merge, deployment, production-apply");
  });
});
