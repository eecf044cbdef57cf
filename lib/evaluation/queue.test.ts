import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { checkResults, evaluationQueue, findings } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import type { CustodyEvent } from "../events/schema";
import { applyEvents } from "../projections/apply";
import { emptyTouched } from "../projections/touched";
import { drainEvaluationQueue, enqueueEvaluation, evaluationBacklog, evaluationSettled, MAX_ATTEMPTS } from "./queue";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const digest = "sha256:9b2e4f3c1d0a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c";
const laptopBuild: CustodyEvent = {
  id: "q-build",
  type: "image_build",
  occurredAt: "2026-11-02T10:00:00Z",
  service: "ledger-api",
  repository: "ghcr.io/acme/ledger-api",
  digest,
  tags: ["1.0.0"],
  builder: "laptop:erin",
} as CustodyEvent;
const deployment: CustodyEvent = {
  id: "q-deploy",
  type: "deployment",
  occurredAt: "2026-11-02T10:05:00Z",
  service: "ledger-api",
  environment: "production",
  imageRef: `ghcr.io/acme/ledger-api@${digest}`,
  actorType: "pipeline",
  changeType: "normal",
  status: "success",
} as CustodyEvent;

/** What the ingest transaction does, without asking this process to evaluate afterwards. */
async function storeWithoutEvaluating(events: CustodyEvent[]): Promise<void> {
  await h.db.transaction(async (tx) => {
    const touched = await applyEvents(tx, events, emptyTouched());
    await enqueueEvaluation(tx, touched);
  });
}

const openFindings = async () => (await h.db.select({ n: count() }).from(findings).where(eq(findings.status, "open")))[0]?.n ?? 0;

describe("the evaluation queue", () => {
  it("stores what ingestion touched, and judges it only when drained", async () => {
    await storeWithoutEvaluating([laptopBuild, deployment]);
    expect(await evaluationBacklog(h.db)).toEqual({ pending: 1, failed: 0 });
    expect(await h.db.select().from(checkResults)).toHaveLength(0);
    expect(await openFindings()).toBe(0);

    expect(await drainEvaluationQueue(h.db)).toEqual({ evaluated: 1, busy: false, lastRound: 1 });
    expect(await evaluationBacklog(h.db)).toEqual({ pending: 0, failed: 0 });
    const results = await h.db.select().from(checkResults);
    expect(results.find((r) => r.ruleId === "deploy.built-by-ci")?.result).toBe("fail");
    expect(await openFindings()).toBeGreaterThan(0);
  });

  it("sets a row aside after it fails alone MAX_ATTEMPTS times, and still judges the rows after it", async () => {
    // A snapshot id that is not a number cannot be looked up: evaluation of this row fails.
    await h.db.insert(evaluationQueue).values({ touched: { snapshotIds: ["not-a-number"] } });
    await storeWithoutEvaluating([{ ...deployment, id: "q-deploy-2", deploymentId: "q-deploy-2", environment: "staging" } as CustodyEvent]);
    for (let i = 0; i < MAX_ATTEMPTS; i += 1) await drainEvaluationQueue(h.db);
    expect(await evaluationBacklog(h.db)).toEqual({ pending: 0, failed: 1 });
    const [bad] = await h.db.select().from(evaluationQueue);
    expect(bad?.attempts).toBe(MAX_ATTEMPTS);
    expect(bad?.lastError).toBeTruthy();
    const staged = await queryRows(h.db, sql`select 1 from check_results c join deployments d on d.id = c.deployment_id where d.external_id = 'q-deploy-2'`);
    expect(staged.length).toBeGreaterThan(0);
    // Settling does not wait for a row set aside.
    await evaluationSettled(h.db, 5_000);
  });
});
