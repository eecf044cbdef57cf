import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("a manager filters open findings by rule, opens one, and sees the incidents", async ({ page }, testInfo) => {
  await signIn(page, "manager");
  await page.goto("/findings?environment=production");
  await expect(page.getByRole("heading", { level: 1, name: "Findings" })).toBeVisible();
  await expect(page.getByLabel("Status")).toHaveValue("open");
  await expect(page.getByLabel("Environment")).toHaveValue("production");
  const counts = page.getByRole("table", { name: /Number of findings per rule/ });
  const first = counts.getByRole("row").nth(1);
  const ruleTitle = (await first.getByRole("button").textContent()) ?? "";
  const shown = Number(await first.getByRole("cell").last().textContent());
  expect(shown).toBeGreaterThan(0);
  await snapshot(page, testInfo, "findings-by-rule");

  await first.getByRole("button").click();
  await expect(page).toHaveURL(/rule=/);
  const list = page.getByRole("table", { name: "Findings, newest first" });
  const more = page.getByRole("button", { name: "Load more findings" });
  while (await more.isVisible()) {
    await more.click();
    await expect(page.getByRole("button", { name: "Loading…" })).toHaveCount(0);
  }
  await expect(list.getByRole("row")).toHaveCount(shown + 1);
  await expect(list.getByRole("cell", { name: "production" }).first()).toBeVisible();
  await snapshot(page, testInfo, "findings-for-rule");

  await list.getByRole("link", { name: ruleTitle }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: ruleTitle })).toBeVisible();
  await expect(page.getByText("Person behind it")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Evidence" })).toBeVisible();
  await snapshot(page, testInfo, "finding-detail");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Incidents" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Incidents, newest first" }).or(page.getByText("No incidents have been recorded"))).toBeVisible();
  await snapshot(page, testInfo, "incidents");
});
