import { expect, test } from "@playwright/test";
import { demoScenarios } from "../lib/demo/scenarios";
import { readmeScreenshot, signIn, snapshot } from "./helpers";

// Files run in name order on one worker: this one must see the demo's hot patch before
// incidents.spec.ts redeploys inventory through the pipeline and so ends the drift.
const hotPatched = demoScenarios.find((s) => s.kind === "drift" && s.drift === "hot-patch")?.service ?? "";

test("from the overview, two clicks reach the drifted production workload's trace, which says no pipeline chain exists", async ({ page }, testInfo) => {
  expect(hotPatched).not.toBe("");
  await signIn(page, "auditor");
  await page.goto("/");
  const wrong = page.getByRole("region", { name: "Wrong in production now" });
  await expect(wrong).toBeVisible();
  const row = wrong.getByRole("row", { name: new RegExp(`^${hotPatched} in production`) });
  await expect(row.getByText("Drift: runs another digest")).toBeVisible();
  // Every panel counts the same open findings.
  const total = Number(/(\d+) open findings/.exec((await wrong.getByRole("link", { name: /open findings/ }).textContent()) ?? "")?.[1]);
  const cards = page.getByRole("region", { name: "Environments now" });
  const perEnv = (await cards.getByRole("region").allTextContents()).map((t) => Number(/(\d+) open findings/.exec(t)?.[1] ?? 0));
  const serviceWide = Number(/And (\d+) open finding/.exec((await cards.getByText(/about a service as a whole/).textContent().catch(() => "")) ?? "")?.[1] ?? 0);
  expect(perEnv.reduce((a, b) => a + b, 0) + serviceWide).toBe(total);
  await snapshot(page, testInfo, "overview-wrong-now");
  await readmeScreenshot(page, "overview");

  await row.getByRole("link", { name: hotPatched }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^Trace sha256:/ })).toBeVisible();
  await expect(page.getByText("No pipeline chain")).toBeVisible();
  const runs = page.getByRole("table", { name: /Workloads that ran this digest/ });
  await expect(runs.getByRole("row", { name: new RegExp(`Deployment/${hotPatched}`) }).getByText("Running now")).toBeVisible();
  await expect(page.getByRole("list", { name: "People the evidence names" }).getByText(/Kubernetes audit log/).first()).toBeVisible();
  await expect(page.getByRole("link", { name: "drift.unrecorded-digest" })).toBeVisible();
  await snapshot(page, testInfo, "trace-observed-digest");

  await runs.getByRole("link", { name: "production" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /production/ })).toBeVisible();
  const table = page.getByRole("table", { name: /workloads running in production now/ });
  await expect(table.getByRole("row", { name: new RegExp(`^${hotPatched}`) }).getByText("Drift: runs another digest")).toBeVisible();
  await expect(page.getByText(/snapshot \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/).first()).toBeVisible();
  await snapshot(page, testInfo, "environment-production");
  await readmeScreenshot(page, "production");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Environments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();
  await expect(page.getByRole("row", { name: /production/ }).getByText("1 workload")).toBeVisible();
  await snapshot(page, testInfo, "environments");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Promotion" }).click();
  const matrix = page.getByRole("table", { name: /Services by environment/ });
  await expect(matrix.getByRole("row", { name: new RegExp(`^${hotPatched}`) }).getByText("Changed in place in production")).toBeVisible();
  await snapshot(page, testInfo, "promotion-observed");

  // A production deployment with failed checks: the verdict comes first.
  await matrix.getByRole("link", { name: "notifications in production: evidence chain" }).click();
  await expect(page.getByLabel("Verdict")).toContainText("checks failed");
  await snapshot(page, testInfo, "deployment-verdict");
  await readmeScreenshot(page, "deployment");
});
