import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { changeEvidence } from "../reports/change-evidence";
import { changeRowsById } from "../reports/population";
import { exceptionRows } from "../reports/registers";
import { decide } from "./decide";
import { decisionsForChange } from "./queries";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

const scope = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z"), environments: ["production"], services: [] as string[], framework: "soc2" as const };

describe("decisions in the reports", () => {
  it("lists the decisions asked before a sampled change on its evidence page, and a break glass in the exception register", async () => {
    const c = change({ key: "report" });
    const body = { events: c.events };
    await ingestEvents(handle.db, body, JSON.stringify(body));
    await evaluationSettled(handle.db);
    const before = new Date("2026-03-14T09:59:00Z");
    const allowed = await decide(handle.db, { gate: "production-apply", environment: "production", digest: c.digest }, "token:release", { now: before });
    const glass = await decide(
      handle.db,
      { gate: "deployment", environment: "production", digest: c.digest, breakGlass: { reason: "card payments failing since 09:40, INC-77", person: "jchen" } },
      "token:release",
      { now: before },
    );
    expect(glass.decision).toBe("warn");

    const [row] = await changeRowsById(handle.db, scope, [c.prodDeploymentId]);
    if (row === undefined) throw new Error("the production change is not in the population");
    const evidence = await changeEvidence(handle.db, row);
    expect(evidence.decisions).toHaveLength(2);
    expect(evidence.decisions[0]).toContain(`production-apply: allow for token:release (policy ${allowed.policyVersion}, ${allowed.decisionId})`);
    expect(evidence.decisions[1]).toMatch(/deployment: warn .* failed: deploy\.\S+.*break glass by jchen: card payments failing/);

    // The deployment page and GET /api/v1/deployments/{id} show the same decisions, newest first, with reasons.
    const shown = await decisionsForChange(handle.db, { digest: c.digest, environment: "production", commitSha: c.mergeSha });
    expect(shown.map((d) => d.decisionId).sort()).toEqual([allowed.decisionId, glass.decisionId].sort());
    const warned = shown.find((d) => d.decisionId === glass.decisionId);
    expect(warned?.breakGlass).toMatchObject({ person: "jchen", incidentId: glass.breakGlass?.incidentId });
    expect(warned?.checks.every((ch) => ch.reason.length > 0 && ch.remedy.length > 0)).toBe(true);

    const exceptions = [];
    for await (const e of exceptionRows(handle.db, scope)) exceptions.push(e);
    const bypass = exceptions.find((e) => e.ruleId === "drift.admission-bypass");
    expect(bypass).toMatchObject({ source: "finding", environment: "production", subject: `decision:${glass.decisionId}` });
  });
});
