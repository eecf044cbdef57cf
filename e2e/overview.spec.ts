import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("everyone sees the overview charts, the DORA figures and the promotion matrix", async ({ page }, testInfo) => {
  await signIn(page, "auditor");
  await page.goto("/?from=2026-10-28&to=2026-11-27");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const dora = page.getByRole("region", { name: "Delivery performance (DORA)" });
  for (const figure of ["Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore"]) {
    await expect(dora.getByText(figure)).toBeVisible();
  }
  await expect(dora.getByText(/\/ day$/)).toBeVisible();
  const deployments = page.getByRole("figure", { name: /Deployments per day/ });
  await expect.poll(() => deployments.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(20);
  const passRate = page.getByRole("figure", { name: /Gate pass rate/ });
  await expect.poll(() => passRate.locator(".recharts-line-dot, .recharts-dot").count()).toBeGreaterThan(10);
  const open = page.getByRole("figure", { name: /Open findings/ });
  await expect(open.locator(".recharts-area")).toHaveCount(1);
  await expect(page.getByRole("region", { name: /production/i }).first()).toBeVisible();
  await snapshot(page, testInfo, "overview");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Promotion" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Promotion" })).toBeVisible();
  const matrix = page.getByRole("table", { name: /Services by environment/ });
  await expect(matrix.getByRole("row", { name: /checkout/ })).toBeVisible();
  await expect(matrix.getByRole("columnheader", { name: "production" })).toBeVisible();
  await snapshot(page, testInfo, "promotion");
});
