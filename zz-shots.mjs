import { chromium } from "playwright-core";
const base = "http://localhost:3213";
const roles = { admin: "admin@custody.demo", compliance: "compliance@custody.demo", manager: "manager@custody.demo", auditor: "auditor@custody.demo", "engagement-auditor": "external@custody.demo" };
const pw = (r) => (r === "engagement-auditor" ? "demo-external-2026" : `demo-${r}-2026`);
const pages = (process.env.SHOT_PAGES ?? "/").split(",");
const only = process.env.SHOT_ROLES ? process.env.SHOT_ROLES.split(",") : Object.keys(roles);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const role of only) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill(roles[role]);
  await page.getByLabel("Password").fill(pw(role));
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 20000 });
  for (const p of pages) {
    const res = await page.goto(base + p);
    await page.waitForLoadState("networkidle").catch(() => {});
    await page.waitForTimeout(800);
    const name = `${role}${p.replace(/[^a-z0-9]+/gi, "_")}`.slice(0, 90);
    await page.screenshot({ path: `/tmp/s16/${name}.png`, fullPage: process.env.SHOT_FULL === "1" });
    console.log(role, p, res?.status(), await page.title());
  }
  await ctx.close();
}
await browser.close();
