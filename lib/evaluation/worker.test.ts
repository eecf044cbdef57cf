import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabaseOn } from "@/db/testing";
import { requirePostgres } from "@/lib/testing/requires";
import { generateDemoEvents } from "../demo";
import { ingestEvents } from "../ingest/events-api";
import { evaluationBacklog, evaluationSettled, setEvaluationMode } from "./queue";

/**
 * CUSTODY_EVALUATOR=external: the server stores and queues, and `custody worker`, a process of its
 * own, judges. Needs a Postgres server (two processes on one database).
 */
const serverUrl = requirePostgres(import.meta.filename, "custody worker judging for a server") ?? "";
const onServer = () => createTestDatabaseOn(serverUrl);

let inline: DatabaseHandle & { url?: string };
let external: DatabaseHandle & { url?: string };
let worker: ChildProcess | undefined;
beforeAll(async () => {
  if (!serverUrl) return;
  [inline, external] = await Promise.all([onServer(), onServer()]);
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await new Promise((resolve) => worker?.once("exit", resolve));
  }
  await Promise.all([inline?.close(), external?.close()]);
});

const batches = (() => {
  const events = generateDemoEvents().slice(0, 2000);
  const out: string[] = [];
  for (let i = 0; i < events.length; i += 250) out.push(JSON.stringify({ events: events.slice(i, i + 250) }));
  return out;
})();
const ingestAll = async (h: DatabaseHandle, bodies: string[]) => {
  for (const body of bodies) await ingestEvents(h.db, JSON.parse(body) as unknown, body);
};
/** What the evaluator decided, in a form two databases loaded alike can be compared by. */
const judged = async (h: DatabaseHandle) => ({
  results: await queryRows(h.db, sql.raw("select d.external_id, c.rule_id, c.result from check_results c join deployments d on d.id = c.deployment_id order by 1, 2")),
  findings: await queryRows(h.db, sql.raw("select rule_id, subject_key, status, opened_at, resolved_at from findings order by rule_id, subject_key, opened_at")),
});
async function drainedByOthers(h: DatabaseHandle): Promise<void> {
  const deadline = Date.now() + 240_000;
  while ((await evaluationBacklog(h.db)).pending > 0) {
    if (Date.now() > deadline) throw new Error("the worker did not judge the queue");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!serverUrl)("custody worker (CUSTODY_EVALUATOR=external)", () => {
  it("judges what the server queued, woken by its commits, with the same results as judging in the server", async () => {
    // Judged in groups as a burst is: everything queued first, then drained (the grouping of queue
    // rows decides which evidence a snapshot is judged with, so both sides queue alike).
    const [first, last] = [batches.slice(0, -1), batches.slice(-1)];
    setEvaluationMode(inline.db, "external");
    await ingestAll(inline, first);
    setEvaluationMode(inline.db, "inline");
    await evaluationSettled(inline.db);
    await ingestAll(inline, last);
    await evaluationSettled(inline.db);

    setEvaluationMode(external.db, "external");
    await ingestAll(external, first);
    // Stored and queued, judged by no one yet: the server no longer evaluates.
    expect((await evaluationBacklog(external.db)).pending).toBeGreaterThan(0);
    expect(await queryRows(external.db, sql`select 1 from check_results limit 1`)).toHaveLength(0);

    worker = spawn(process.execPath, [path.join(process.cwd(), "bin", "custody.mjs"), "worker"], {
      env: { ...process.env, DATABASE_URL: external.url, CUSTODY_LOG_LEVEL: "warn", VITEST: "" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    await drainedByOthers(external);
    // With the worker running, the next batch is judged after its commit's NOTIFY.
    await ingestAll(external, last);
    await drainedByOthers(external);
    expect(await evaluationBacklog(external.db)).toEqual({ pending: 0, failed: 0 });

    const [a, b] = await Promise.all([judged(inline), judged(external)]);
    expect(b.results.length).toBeGreaterThan(100);
    expect(b.findings.length).toBeGreaterThan(0);
    expect(b).toEqual(a);

    worker.kill("SIGTERM");
    const code = await new Promise((resolve) => worker?.once("exit", resolve));
    expect(code).toBe(0);
  });
});
