import { expect, test, type Page } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

/** An admin issues the pipeline's token through the tokens page, as a CI system gets one. */
async function issueToken(page: Page): Promise<string> {
  await signIn(page, "admin");
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill(`e2e-release-${Date.now()}`);
  await page.getByLabel(/ingest/).check();
  await page.getByLabel(/read/).check();
  await page.getByRole("button", { name: "Issue token" }).click();
  const token = (await page.getByRole("status").locator("code").textContent()) ?? "";
  expect(token.length).toBeGreaterThan(20);
  await page.context().clearCookies();
  return token;
}

test("a denied production apply shows on the deployment page with its reasons", async ({ page, request }, testInfo) => {
  const token = await issueToken(page);
  const auth = { authorization: `Bearer ${token}` };
  // A demo change that skipped staging: asking the production-apply gate for its digest is denied.
  const found = (await (await request.get("/api/v1/findings?rule=prod.staging-verified&status=open&environment=production", { headers: auth })).json()) as { items: { deploymentId: number | null }[] };
  const deploymentId = found.items.find((f) => f.deploymentId !== null)?.deploymentId;
  expect(deploymentId).toBeDefined();
  const chain = (await (await request.get(`/api/v1/deployments/${deploymentId}`, { headers: auth })).json()) as { digest: string; service: string };

  const res = await request.post("/api/v1/decisions", { headers: auth, data: { gate: "production-apply", environment: "production", digest: chain.digest, service: chain.service } });
  expect(res.status()).toBe(200);
  const answer = (await res.json()) as { decision: string; decisionId: string; checks: { ruleId: string }[] };
  expect(answer.decision).toBe("deny");
  expect(answer.checks.map((c) => c.ruleId)).toContain("prod.staging-verified");

  await signIn(page, "auditor");
  await page.goto(`/deployments/${deploymentId}`);
  const decisions = page.getByRole("region", { name: "Gate decisions" });
  await expect(decisions.getByText("production-apply: deny").first()).toBeVisible();
  await expect(decisions.getByText(answer.decisionId, { exact: true })).toBeVisible();
  const row = decisions.getByRole("row").filter({ hasText: "prod.staging-verified" }).first();
  await expect(row).toContainText(/before (the )?production/);
  await expect(row).toContainText("then send its staging verification");
  await snapshot(page, testInfo, "deployment-denied-production-apply");
});
