import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { checkResults, deployments, findings, gateDecisions, incidents, ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { change, digestOf } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { verifyLedger } from "../ledger/ledger";
import { decide } from "./decide";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

async function ingest(events: unknown[]): Promise<void> {
  const body = { events };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  await evaluationSettled(handle.db);
}

// The production apply of test-change runs at merge + 120 min.
const prodTime = new Date("2026-03-14T10:00:00Z");

describe("decide: the gates asked at the moment of the change", () => {
  it("answers a production apply with the same checks the recorded deployment got afterwards", async () => {
    const c = change({ key: "same" });
    await ingest(c.events);
    const [prod] = await handle.db.select().from(deployments).where(eq(deployments.externalId, c.prodDeploymentId));
    const stored = await handle.db.select().from(checkResults).where(eq(checkResults.deploymentId, prod?.id ?? 0));
    const answer = await decide(
      handle.db,
      { gate: "production-apply", environment: "production", digest: c.digest, service: "checkout" },
      "token:ci",
      { now: new Date(prodTime.getTime() - 1000) },
    );
    const storedProd = Object.fromEntries(stored.filter((r) => r.ruleId.startsWith("prod.")).map((r) => [r.ruleId, r.result]));
    const decided = Object.fromEntries([...answer.passed.map((id) => [id, "pass"]), ...answer.checks.map((ch) => [ch.ruleId, ch.result])]);
    expect(decided).toEqual(storedProd);
    expect(answer.decision).toBe("allow");
    expect(answer.checks).toEqual([]);
    expect(answer.policyVersion).toMatch(/^[0-9a-f]{12}$/);
    // The proposal was judged in a rolled-back transaction: nothing of it stays.
    expect((await handle.db.select().from(deployments).where(eq(deployments.externalId, `decision:${answer.decisionId}`))).length).toBe(0);
  });

  it("denies a digest that skipped staging, saying what evidence is missing and how to send it", async () => {
    const c = change({ key: "skip", skipStaging: true });
    await ingest(c.events.filter((e) => !String(e.id).includes("deploy-production") && !String(e.id).includes("deploy-run-production")));
    const answer = await decide(handle.db, { gate: "production-apply", environment: "production", digest: c.digest }, "token:ci", { now: prodTime });
    expect(answer.decision).toBe("deny");
    const staging = answer.checks.find((ch) => ch.ruleId === "prod.staging-verified");
    expect(staging).toMatchObject({ result: "fail", waived: false });
    expect(staging?.reason).toContain("never successfully deployed to staging");
    expect(staging?.remedy).toContain(`"attestationType":"staging-verification","subject":"${c.digest}"`);
    expect(answer.subject).toMatchObject({ service: "checkout", commitSha: c.mergeSha });
  });

  it("records every decision as a ledger entry: who asked, what, the answer and the policy version", async () => {
    const digest = digestOf("unknown-image");
    const answer = await decide(handle.db, { gate: "deployment", environment: "staging", digest, service: "cart" }, "token:release-bot");
    expect(answer.decision).toBe("deny");
    expect(answer.checks.map((ch) => ch.ruleId)).toContain("deploy.built-by-ci");
    const [row] = await handle.db.select().from(gateDecisions).where(eq(gateDecisions.decisionId, answer.decisionId));
    expect(row).toMatchObject({ gate: "deployment", environment: "staging", digest, decision: "deny", requestedBy: "token:release-bot", policyVersion: answer.policyVersion });
    const [entry] = await handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.seq, row?.ledgerSeq ?? 0));
    expect(entry).toMatchObject({ source: "custody-decision", eventType: "decision.deployment", deliveryId: answer.decisionId });
    const body = JSON.parse(entry?.body ?? "{}") as Record<string, unknown>;
    expect(body).toMatchObject({ decision: "deny", requestedBy: "token:release-bot", policyVersion: answer.policyVersion, request: { gate: "deployment", digest } });
    expect((await verifyLedger(handle.db)).ok).toBe(true);
  });

  it("break glass turns a deny into a warn, names the person and opens an incident at once", async () => {
    const c = change({ key: "glass", skipStaging: true });
    await ingest(c.events.filter((e) => !String(e.id).includes("production")));
    const answer = await decide(
      handle.db,
      { gate: "production-apply", environment: "production", digest: c.digest, breakGlass: { reason: "checkout down, payment capture failing (INC-4411)", person: "jchen" } },
      "token:ci",
      { now: prodTime },
    );
    expect(answer.decision).toBe("warn");
    expect(answer.breakGlass).toMatchObject({ person: "jchen", reason: expect.stringContaining("INC-4411") });
    const [f] = await handle.db.select().from(findings).where(and(eq(findings.ruleId, "drift.admission-bypass"), eq(findings.subjectKey, `decision:${answer.decisionId}`)));
    expect(f).toMatchObject({ status: "open", actor: "jchen", environment: "production" });
    const [incident] = await handle.db.select().from(incidents).where(eq(incidents.id, answer.breakGlass?.incidentId ?? 0));
    expect(incident).toMatchObject({ status: "open", owner: "jchen", environment: "production" });
    const [row] = await handle.db.select().from(gateDecisions).where(eq(gateDecisions.decisionId, answer.decisionId));
    expect(row?.breakGlass).toMatchObject({ person: "jchen", incidentId: incident?.id });
  });

  it("refuses requests it cannot judge: unknown gate, no subject, production-apply outside production", async () => {
    await expect(decide(handle.db, { gate: "release", environment: "production", digest: digestOf("x") }, "t")).rejects.toMatchObject({ code: "VALIDATION", message: expect.stringContaining("gate") });
    await expect(decide(handle.db, { gate: "deployment", environment: "staging" }, "t")).rejects.toMatchObject({ code: "VALIDATION", message: expect.stringContaining("subject") });
    await expect(decide(handle.db, { gate: "production-apply", environment: "staging", digest: digestOf("x") }, "t")).rejects.toMatchObject({ code: "VALIDATION", message: expect.stringContaining("not a production environment") });
  });
});
