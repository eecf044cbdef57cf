import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

const roles = ["admin", "auditor", "manager", "compliance"] as const;

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

/** The first link on a page matching `pattern`, if any (the demo may have no incident, say). */
async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string[]> {
  await page.goto(path);
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  const found = hrefs.find((h) => pattern.test(h));
  return found ? [found] : [];
}

/** A deployment, a finding, an incident and a trace, found through the pages as a user finds them. */
async function recordPages(page: Page): Promise<string[]> {
  return [
    ...(await firstLink(page, "/environments/production", /^\/deployments\/\d+$/)),
    ...(await firstLink(page, "/findings", /^\/findings\/\d+$/)),
    ...(await firstLink(page, "/incidents?status=", /^\/incidents\/\d+$/)),
    ...(await firstLink(page, "/", /^\/trace\//)),
  ];
}

/** axe-core's WCAG 2.1 AA rules; a serious or critical violation fails, with the rule and the elements named. */
async function audit(page: Page, testInfo: TestInfo, name: string, screenshot: boolean): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (screenshot) await snapshot(page, testInfo, name);
  return bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

const slug = (path: string) => path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-") || "overview";

test.describe.configure({ timeout: 600_000 });

test("the sign-in page has no serious or critical accessibility violation", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  expect(await audit(page, testInfo, "sign-in", true)).toEqual([]);
});

// Every role opens every page (a page its role may not see answers the branded 403, which is audited
// too); the admin's visit also saves the 1440x900 screenshot kept as a CI artefact.
for (const role of roles) {
  test(`every page a ${role} opens has no serious or critical accessibility violation`, async ({ page }, testInfo) => {
    await signIn(page, role);
    const pages = [...fixedPages, ...(await recordPages(page))];
    const problems: string[] = [];
    for (const path of pages) {
      await page.goto(path);
      await page.waitForLoadState("load");
      problems.push(...(await audit(page, testInfo, `${role}-${slug(path)}`, role === "admin")));
    }
    expect(problems).toEqual([]);
  });
}
