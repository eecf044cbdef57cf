import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("compliance staff see posture over the audit period and start a report export from it", async ({ page }, testInfo) => {
  await signIn(page, "compliance");
  await page.goto("/posture?from=2026-09-01&to=2026-11-27");
  await expect(page.getByRole("heading", { level: 1, name: "Posture" })).toBeVisible();
  await expect(page.getByText("from 2026-09-01 to 2026-11-27 (UTC)")).toBeVisible();
  const gates = page.getByRole("table", { name: /Gate check results of production deployments/ });
  const approval = gates.getByRole("row", { name: /Approved by someone other than its authors/ });
  await expect(approval).toBeVisible();
  await expect(approval.getByRole("cell").last()).toHaveText(/^\d+(\.\d)?%$/);
  const chart = page.getByRole("figure", { name: /Share passed, per check/ });
  await expect.poll(() => chart.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(5);
  await expect(page.getByRole("heading", { name: "Exceptions by rule" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Waivers" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Export SOC 2 report for this period" })).toHaveAttribute(
    "href",
    "/reports?framework=soc2&from=2026-09-01&to=2026-11-27",
  );
  await snapshot(page, testInfo, "posture");
});
