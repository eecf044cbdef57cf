import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { checkResults, checkSummaries, deployments, findings } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { deploymentChain } from "../evidence/deployments";
import { change, shaOf, type ChangeOptions } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { activePolicy } from "../policy/active";
import { evaluationSettled } from "./queue";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle.close());

async function ingest(events: unknown[]): Promise<void> {
  const body = { events };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  await evaluationSettled(handle.db);
}

/** Ingests one change and returns its production chain's results by rule id. */
async function production(key: string, o: ChangeOptions = {}) {
  const c = change({ key, ...o });
  await ingest(c.events);
  const chain = await deploymentChain(handle.db, c.prodDeploymentId);
  const results = Object.fromEntries(chain.gates.map((g) => [g.check, g.result]));
  return { c, chain, results };
}

const failing = (results: Record<string, string>) => Object.entries(results).filter(([, r]) => r !== "pass").map(([id]) => id).sort();

describe("the three gates, one scenario per check, through ingestion", () => {
  it("passes every check for a fully compliant change, and records the policy version", async () => {
    const { chain, results } = await production("compliant");
    expect(failing(results)).toEqual([]);
    expect(Object.keys(results)).toHaveLength(21);
    expect(chain.missing).toEqual([]);
    expect(chain.approvers).toEqual(["jchen"]);
    expect(chain.gates.every((g) => g.policyVersion === activePolicy().version)).toBe(true);
    expect(chain.gates.find((g) => g.check === "prod.staging-verified")?.controls.map((c) => c.id)).toContain("8.31");
    expect(chain.findings).toEqual([]);
  });

  it("fails a self-approved pull request and names the missing approval", async () => {
    const { chain, results } = await production("self", { selfApproval: true });
    expect(results["merge.independent-approval"]).toBe("fail");
    expect(chain.missing).toContain("approval");
    expect(chain.findings.map((f) => f.ruleId)).toContain("merge.independent-approval");
  });

  it("fails a commit pushed after the approval", async () => {
    const { results } = await production("stale", { commitAfterApproval: true });
    expect(results["merge.approval-current"]).toBe("fail");
  });

  it("fails an image built on a laptop", async () => {
    const { results, chain } = await production("laptop", { builder: "mhernandez@mbp-2019" });
    expect(results["deploy.built-by-ci"]).toBe("fail");
    expect(chain.gates.find((g) => g.check === "deploy.built-by-ci")?.reason).toContain("not a CI identity");
  });

  it("fails a :latest reference", async () => {
    const { results } = await production("latest", { prodRef: "latest" });
    expect(results["deploy.immutable-ref"]).toBe("fail");
  });

  it("fails a tag that does not match the merge commit", async () => {
    const { results } = await production("mismatch", { imageTag: shaOf("mismatch:head") });
    expect(results["deploy.commit-matches"]).toBe("fail");
  });

  it("fails a production digest that never ran in staging, naming the gap", async () => {
    const { results, chain } = await production("skip", { skipStaging: true });
    expect(results["prod.staging-verified"]).toBe("fail");
    expect(results["prod.digest-matches-staging"]).toBe("fail");
    expect(chain.missing).toContain("stagingDeployment");
  });

  it("fails a deployment made before its approval", async () => {
    const { results } = await production("early", { approvalAt: 180 });
    expect(results["prod.approved-before-deploy"]).toBe("fail");
  });

  it("fails a production apply without backup verification", async () => {
    const { results } = await production("nobackup", { backup: false, productionAt: 5000 });
    expect(failing(results)).toEqual(["prod.backup-verified"]);
  });
});

describe("late evidence", () => {
  it("an approval arriving after the deployment flips the result and resolves the finding", async () => {
    const c = change({ key: "late-approval" });
    const review = c.events.find((e) => e.type === "review");
    await ingest(c.events.filter((e) => e !== review));
    const before = await deploymentChain(handle.db, c.stagingDeploymentId);
    expect(before.gates.find((g) => g.check === "merge.independent-approval")?.result).toBe("fail");
    const [dep] = await handle.db.select().from(deployments).where(eq(deployments.externalId, c.stagingDeploymentId));
    const open = await handle.db.select().from(findings).where(eq(findings.subjectKey, `deployment:${c.stagingDeploymentId}`));
    expect(open.find((f) => f.ruleId === "merge.independent-approval")?.status).toBe("open");

    await ingest([review]);
    const after = await deploymentChain(handle.db, String(dep?.id));
    expect(after.gates.find((g) => g.check === "merge.independent-approval")?.result).toBe("pass");
    expect(after.approvers).toEqual(["jchen"]);
    const resolved = await handle.db.select().from(findings).where(eq(findings.subjectKey, `deployment:${c.stagingDeploymentId}`));
    expect(resolved.find((f) => f.ruleId === "merge.independent-approval")?.status).toBe("resolved");
    // The one-row summary the population export reads follows the stored results.
    const stored = await handle.db.select().from(checkResults).where(eq(checkResults.deploymentId, Number(dep?.id)));
    const [summary] = await handle.db.select().from(checkSummaries).where(eq(checkSummaries.deploymentId, Number(dep?.id)));
    const byRule = [...stored].sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1));
    expect(summary).toEqual({ deploymentId: Number(dep?.id), rules: byRule.map((r) => r.ruleId), results: byRule.map((r) => r.result) });
    expect(summary?.results[summary.rules.indexOf("merge.independent-approval")]).toBe("pass");
  });
});
