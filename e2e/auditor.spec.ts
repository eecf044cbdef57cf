import { expect, test } from "@playwright/test";
import { generateDemoEvents } from "../lib/demo/generate";
import { signIn, snapshot } from "./helpers";

/** The latest checkout pull request that reached production, and who approved it, from the demo's own events. */
function checkoutReleaseInProduction() {
  const events = generateDemoEvents();
  const deployed = new Set(events.flatMap((e) => (e.type === "deployment" && e.environment === "production" && e.commitSha ? [e.commitSha] : [])));
  const prs = events.filter((e) => e.type === "pull_request" && e.repository === "acme/checkout" && e.merged && e.mergeCommitSha && deployed.has(e.mergeCommitSha));
  const pr = prs.at(-1);
  if (!pr || pr.type !== "pull_request") throw new Error("the demo has no checkout release in production");
  const approvers = events.flatMap((e) => (e.type === "review" && e.repository === pr.repository && e.pullNumber === pr.number && e.state === "approved" ? [e.reviewer] : []));
  return { ref: `${pr.repository}#${pr.number}`, approvers };
}

test("an auditor picks a moment in production, walks a workload's evidence chain, and traces a pull request", async ({ page }, testInfo) => {
  await signIn(page, "auditor");
  await page.goto("/environments/production");
  await expect(page.getByRole("heading", { level: 1, name: /production/ })).toBeVisible();
  await page.getByLabel("Moment (UTC)").fill("2026-10-15T12:00");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/at=2026-10-15T12%3A00|at=2026-10-15T12:00/);
  await expect(page.getByRole("table", { name: /running in production at 2026-10-15 12:00 UTC/ })).toBeVisible();
  await snapshot(page, testInfo, "environment-at-moment");

  await page.getByRole("link", { name: "Evidence chain of checkout in production" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "checkout → production" })).toBeVisible();
  const chain = page.getByRole("list", { name: "Evidence chain" });
  await expect(chain.getByRole("heading", { name: "Pull request and approvers" })).toBeVisible();
  await expect(chain.getByRole("link", { name: /on GitHub/ }).first()).toHaveAttribute("href", /^https:\/\/github\.com\//);
  await expect(page.getByLabel("Verdict")).toHaveText(/(\d+ of \d+ checks (failed|lack evidence)|All \d+ checks passed)/);
  const gateTable = page.getByRole("table", { name: /Gate checks of deployment/ });
  await expect(gateTable.getByRole("row").nth(1)).toBeVisible();
  const firstCheck = gateTable.getByRole("row").nth(1);
  // A passed check's evidence is folded under "Evidence (n fields)"; a failed one's is open.
  const folded = firstCheck.getByText(/^Evidence \(\d+ fields?\)$/);
  if ((await folded.count()) > 0) await folded.click();
  await firstCheck.getByText("Raw JSON").click();
  await expect(firstCheck.locator("pre")).toContainText("{");
  // The demo sends no Sigstore bundles: the page says so rather than hiding the section.
  await expect(page.getByRole("region", { name: "Build provenance" }).getByText("no provenance", { exact: true })).toBeVisible();
  await snapshot(page, testInfo, "deployment-chain");

  const release = checkoutReleaseInProduction();
  const search = page.getByRole("search", { name: "Trace a change" });
  await search.getByRole("searchbox").fill(release.ref);
  await search.getByRole("button", { name: "Trace" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Trace ${release.ref}` })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "checkout → production" })).toBeVisible();
  for (const approver of release.approvers) await expect(page.getByRole("list", { name: "Evidence chain" }).getByText(approver)).toBeVisible();
  await expect(page.getByRole("table", { name: /deployments of this pull request/ })).toBeVisible();
  await snapshot(page, testInfo, "trace-pull-request");
});
