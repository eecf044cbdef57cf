import { expect, test } from "@playwright/test";

test("the home page shows the environments and what runs in production", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const production = page.getByRole("region", { name: /production/i }).first();
  await expect(production).toBeVisible();
  await expect(production.getByRole("row", { name: /checkout/ })).toBeVisible();
});

test("health answers with database reachability", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: "reachable" });
});
