import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

const roles = ["auditor", "manager", "compliance", "admin"] as const;

/** Every page of the app; records come from the demo through the pages themselves. */
const fixedPages = [
  "/",
  "/environments",
  "/environments/production",
  "/promotion",
  "/findings",
  "/incidents",
  "/posture",
  "/reports",
  "/audit-log",
  "/settings/users",
  "/settings/tokens",
  "/account/password",
  "/incidents/new",
  "/deployments/999999999",
  "/no-such-page",
];

async function recordPages(page: Page): Promise<string[]> {
  await page.goto("/environments/production");
  const deployment = await page.getByRole("link", { name: /^Evidence chain of / }).first().getAttribute("href");
  await page.goto("/findings");
  const finding = await page.locator('a[href^="/findings/"]').first().getAttribute("href");
  await page.goto("/incidents");
  const incident = await page.locator('a[href^="/incidents/"]:not([href="/incidents/new"])').first().getAttribute("href");
  await page.goto("/");
  const trace = await page.locator('a[href^="/trace/"]').first().getAttribute("href");
  return [deployment, finding, incident, trace].filter((h): h is string => h !== null);
}

/** axe-core's WCAG 2.1 AA rules; a serious or critical violation fails, with the rule and the elements named. */
async function audit(page: Page, testInfo: TestInfo, name: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await snapshot(page, testInfo, name);
  return bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

const slug = (path: string) => path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-") || "overview";

test.describe.configure({ timeout: 300_000 });

test("the sign-in page has no serious or critical accessibility violation", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  expect(await audit(page, testInfo, "sign-in")).toEqual([]);
});

for (const role of roles) {
  test(`every page a ${role} opens has no serious or critical accessibility violation`, async ({ page }, testInfo) => {
    await signIn(page, role);
    const pages = [...fixedPages, ...(await recordPages(page))];
    const problems: string[] = [];
    for (const path of pages) {
      await page.goto(path);
      await page.waitForLoadState("load");
      problems.push(...(await audit(page, testInfo, `${role}-${slug(path)}`)));
    }
    expect(problems).toEqual([]);
  });
}
