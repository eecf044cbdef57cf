import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateDecisions } from "@/db/schema";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { change } from "@/lib/evidence/test-change";
import { ingestEvents } from "@/lib/ingest/events-api";
import { jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

describe("POST /api/v1/decisions", () => {
  it("denies a production apply whose digest never passed staging, with the reason, the remedy and a ledger-backed decision id", async () => {
    const c = change({ key: "route-skip", skipStaging: true });
    const body = { events: c.events.filter((e) => !String(e.id).includes("production")) };
    await ingestEvents(t.handle.db, body, JSON.stringify(body));
    await evaluationSettled(t.handle.db);
    const res = await POST(
      jsonRequest("/api/v1/decisions", { gate: "production-apply", environment: "production", digest: c.digest }, { authorization: `Bearer ${t.tokens.ingest}` }),
      noContext,
    );
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { decision: string; decisionId: string; policyVersion: string; checks: { ruleId: string; reason: string; remedy: string }[] };
    expect(answer.decision).toBe("deny");
    expect(answer.checks.map((ch) => ch.ruleId)).toEqual(expect.arrayContaining(["prod.staging-verified", "prod.backup-verified"]));
    expect(answer.checks.every((ch) => ch.reason.length > 0 && ch.remedy.length > 0)).toBe(true);
    const [row] = await t.handle.db.select().from(gateDecisions).where(eq(gateDecisions.decisionId, answer.decisionId));
    expect(row).toMatchObject({ decision: "deny", requestedBy: "token:ci", policyVersion: answer.policyVersion });
  });
});
