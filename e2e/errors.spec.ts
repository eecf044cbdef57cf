import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("an unknown API path answers JSON in the contract's error shape, never an HTML page", async ({ request }) => {
  for (const method of ["GET", "POST", "DELETE"] as const) {
    const res = await request.fetch("/api/v1/no/such/route", { method });
    expect(res.status()).toBe(404);
    expect(res.headers()["content-type"]).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND", message: expect.stringContaining("/api/v1/no/such/route"), requestId: expect.any(String) } });
  }
});

test("a URL no name can come from (%00, a path that is not UTF-8) answers 400, in the contract's shape for the API", async ({ request }) => {
  // Before the proxy refused them, Next's router answered a bare 500 for the path that is not UTF-8,
  // and a NUL reached Postgres as a 500 from the routes and pages that look names up.
  for (const path of ["/api/v1/trace/%FF", "/api/v1/environments/%ED%A0%80/state", "/api/v1/findings?environment=%00", "/api/v1/deployments/%00"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(400);
    expect(res.headers()["content-type"], path).toMatch(/^application\/json/);
    expect(await res.json(), path).toMatchObject({ error: { code: "VALIDATION", requestId: expect.any(String) } });
  }
  for (const path of ["/environments/%FF", "/findings?environment=%00"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(400);
    expect(await res.text(), path).toContain("<h1>Bad request</h1>");
  }
});

test("a page a role may not open answers 403 and says which roles may; a missing record answers 404 and names it", async ({ page }, testInfo) => {
  await signIn(page, "manager");
  const forbidden = await page.goto("/reports");
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1, name: "Your role may not open this page" })).toBeVisible();
  await expect(page.getByText(/which the admin, compliance, auditor roles have\. You are signed in as manager/)).toBeVisible();
  await snapshot(page, testInfo, "forbidden");

  const missing = await page.goto("/deployments/999999");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Deployment 999999 does not exist" })).toBeVisible();
  await snapshot(page, testInfo, "not-found");
  expect((await page.goto("/no-such-page"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "There is no page at this address" })).toBeVisible();
  // An id past Postgres's bigint reached the database and answered 500 on these two pages.
  for (const path of ["/deployments/99999999999999999999", "/findings/99999999999999999999"]) {
    expect((await page.goto(path))?.status(), path).toBe(404);
  }
});

test("export buttons show only to roles the reports page lets in, and the menu offers Reports to them", async ({ page }) => {
  await signIn(page, "manager");
  await page.goto("/posture");
  await expect(page.getByRole("heading", { level: 1, name: "Posture" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Export SOC 2 report/ })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Reports" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "auditor");
  await page.goto("/posture");
  await expect(page.getByRole("link", { name: /Export SOC 2 report/ })).toBeVisible();
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evidence reports" })).toBeVisible();
  await page.goto("/reports?framework=soc2&from=2026-09-01&to=2026-11-27&format=pdf&seed=e2e");
  const preview = page.getByRole("region", { name: "Preview" });
  await expect(preview.getByText(/^\d+ production changes$/)).toBeVisible();
  await expect(preview.getByRole("table", { name: "Exceptions by rule in the report" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Download PDF" })).toHaveAttribute("href", /seed=e2e/);
});

test("a findings filter day that is none (2026-13-45, or year 0000) is left out by the counts and the list alike; a period in year 0000 shows the posture of the default period", async ({ page }) => {
  await signIn(page, "compliance");
  const listed = async (path: string) => {
    await page.goto(path);
    const list = page.getByRole("table").last();
    await expect(list.getByRole("row").nth(1)).toBeVisible();
    await expect(page.getByText(/could not be loaded/)).toHaveCount(0);
    return list.getByRole("row").count();
  };
  // The list said "Findings could not be loaded" for these, while the counts beside it left the day out.
  const all = await listed("/findings?status=any");
  for (const day of ["2026-13-45", "0000-01-01"]) {
    expect(await listed(`/findings?status=any&from=${day}`), day).toBe(all);
    // ... and the page says so, where it had ignored the filter in silence.
    await expect(page.getByRole("status").filter({ hasText: `Opened from “${day}” is not a day` })).toContainText("not applied");
  }
  await listed("/findings?status=any&from=2026-11-01");
  await expect(page.getByText(/is not a day/)).toHaveCount(0);
  // The posture charts' statements answered 500 inside the page for these.
  await page.goto("/posture?from=0000-01-01&to=9999-12-31");
  await expect(page.getByRole("heading", { level: 1, name: "Posture" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "This page could not be loaded" })).toHaveCount(0);
  // The boxes show the period the figures cover, as the lead does, and the page says why it is not the one asked for.
  const lead = (await page.locator(".lead").first().textContent()) ?? "";
  const [, from, to] = /from (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/.exec(lead) ?? [];
  await expect(page.getByLabel("From (UTC)")).toHaveValue(from ?? "no period in the lead");
  await expect(page.getByLabel("To (UTC, inclusive)")).toHaveValue(to ?? "no period in the lead");
  const notes = page.getByRole("status").filter({ hasText: "is not a day" });
  await expect(notes).toContainText(`From “0000-01-01” is not a day from 0001-01-01 to 9999-12-30 (YYYY-MM-DD): the period starts on ${from}.`);
  await expect(notes).toContainText(`To “9999-12-31” is not a day`);
});

test("a period longer than a year, asked for in the overview's picker, is shortened and the page says so", async ({ page }) => {
  await signIn(page, "manager");
  await page.goto("/");
  await page.getByLabel("From (UTC)").fill("2020-01-01");
  await page.getByLabel("To (UTC, inclusive)").fill("2026-11-27");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/from=2020-01-01/);
  await expect(page.getByText("From 2025-11-27 to 2026-11-27 (UTC, both days included).")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "A period is at most 366 days" })).toHaveText("A period is at most 366 days: it starts on 2025-11-27, not 2020-01-01.");
  // The boxes follow the period the figures cover once they come, without a reload (they kept 2020-01-01).
  await expect(page.getByLabel("From (UTC)")).toHaveValue("2025-11-27");
  await expect(page.getByLabel("To (UTC, inclusive)")).toHaveValue("2026-11-27");
  // A period used as asked says nothing more than its days.
  await page.getByLabel("From (UTC)").fill("2026-11-01");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("From 2026-11-01 to 2026-11-27 (UTC, both days included).")).toBeVisible();
  await expect(page.getByText(/A period is at most/)).toHaveCount(0);
  await expect(page.getByLabel("From (UTC)")).toHaveValue("2026-11-01");
});
