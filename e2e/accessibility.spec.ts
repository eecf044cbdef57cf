import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

// The invited auditor last: their pages are their engagement, the auditors' guide and the 403 of the rest.
const roles = ["admin", "auditor", "manager", "compliance", "engagement-auditor"] as const;

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
  "/help/auditors",
  "/engagements",
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
    ...(await firstLink(page, "/engagements", /^\/engagements\/\d+$/)),
  ];
}

/**
 * axe-core's WCAG 2.1 AA rules; a serious or critical violation fails, with the rule and the elements named.
 * Legacy mode runs axe.run in the page itself. The default mode runs axe in every frame and then opens a blank page
 * to merge the frames' results, which took 40-60 % of each audit here (0.6-2.0 s against 1.5-5.0 s a page, with the
 * same violations, passes and incomplete results); Custody's pages have no frames for it to merge.
 */
async function audit(page: Page, testInfo: TestInfo, name: string, screenshot: boolean): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).setLegacyMode(true).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (screenshot) await snapshot(page, testInfo, name);
  return bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

/**
 * The page as its user reads it: loaded, and every chart drawn. Recharts draws after the load event, once it has
 * measured its container; audited at load, the overview and posture charts were sometimes left out of the audit and
 * which renderings were audited changed from run to run.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  await page.waitForFunction(() => !document.querySelector(".recharts-responsive-container:not(:has(.recharts-wrapper))"));
}

const slug = (path: string) => path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-") || "overview";

test.describe.configure({ timeout: 900_000 });

test("the sign-in page has no serious or critical accessibility violation", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  expect(await audit(page, testInfo, "sign-in", true)).toEqual([]);
});

/**
 * What axe-core judges on a page: its elements with their roles, names-bearing attributes and classes, not the
 * data in them. Two roles that get the same markup for a page get the same verdict, so only new markup is audited.
 */
async function markup(page: Page): Promise<{ header: string; main: string }> {
  return page.evaluate(() => {
    const keep = ["role", "type", "class", "disabled", "hidden", "tabindex"];
    const shape = (root: Element | null) => {
      const parts: string[] = [];
      for (const el of root ? Array.from(root.querySelectorAll("*")) : []) {
        if (el.closest("table tbody tr:not(:first-child), svg")) continue; // table rows and chart paths repeat data
        const attrs = Array.from(el.attributes)
          .filter((a) => keep.includes(a.name) || a.name.startsWith("aria-"))
          .map((a) => `${a.name}=${a.name.startsWith("aria-") && a.name !== "aria-hidden" ? "*" : a.value}`)
          .join(",");
        parts.push(`${el.tagName}[${attrs}]`);
      }
      return parts.join(";");
    };
    const main = document.querySelector("main");
    // Everything outside <main> (the site header and its menu, which differ per role) is one shape.
    const outside = Array.from(document.body.children).filter((el) => !el.contains(main)).map((el) => shape(el));
    return { header: [shape(document.querySelector("header")), ...outside].join("|"), main: shape(main ?? document.body) };
  });
}

// Every role opens every page (a page its role may not see answers the branded 403, which is audited too).
// The admin's visit audits each page and saves the 1440x900 screenshot kept as a CI artefact; another role's
// visit is audited whenever its markup differs from what was audited for that page already (a button only its
// role sees, a 403 page, a different form): every distinct rendering is audited once.
test("every page each role opens has no serious or critical accessibility violation", async ({ browser }, testInfo) => {
  // Shapes already audited, whichever page they came from (the 403 page of /settings/users and of
  // /settings/tokens is one rendering).
  const mains = new Set<string>();
  const headers = new Set<string>();
  const paths = new Set<string>();
  const problems: string[] = [];
  let audits = 0;
  for (const role of roles) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, role);
    const pages = [...fixedPages, ...(await recordPages(page))];
    for (const path of pages) {
      await page.goto(path);
      await settled(page);
      paths.add(path);
      // WCAG 2.4.2: each tab names its page and the product (the overview's read "Overview" alone).
      const title = await page.title();
      if (!/^\S.* · Custody$/.test(title)) problems.push(`${role} ${path}: the title "${title}" does not name the page and Custody`);
      const shape = await markup(page);
      if (mains.has(shape.main) && headers.has(shape.header)) {
        if (process.env.E2E_DEBUG_AUDITS) console.log(`skip ${role} ${path}`);
        continue;
      }
      const t0 = Date.now();
      mains.add(shape.main);
      headers.add(shape.header);
      audits += 1;
      problems.push(...(await audit(page, testInfo, `${role}-${slug(path)}`, role === "admin")));
      if (process.env.E2E_DEBUG_AUDITS) console.log(`audit ${role} ${path} ${Date.now() - t0} ms`);
    }
    await context.close();
  }
  testInfo.annotations.push({ type: "audited", description: `${audits} distinct renderings of ${paths.size} pages` });
  expect(problems).toEqual([]);
});
