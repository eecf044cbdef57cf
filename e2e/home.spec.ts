import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a visitor without a session is sent to the sign-in page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByLabel("Email")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
});

test("health answers with database reachability, without credentials", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: "reachable" });
});

test("pages run only scripts carrying the response's nonce, and still come alive", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) violations.push(m.text());
  });
  page.on("pageerror", (e) => violations.push(e.message));
  const nonces: string[] = [];
  page.on("response", (r) => {
    if (r.request().resourceType() !== "document") return;
    const nonce = /'nonce-([^']+)'/.exec(r.headers()["content-security-policy"] ?? "")?.[1];
    if (nonce) nonces.push(nonce);
  });
  await signIn(page, "manager");
  await page.goto("/findings");
  // The filters are a client component: it only reacts if its scripts ran.
  await expect(page.getByRole("heading", { level: 1, name: /Findings/ })).toBeVisible();
  const scripts = await page.locator("script").evaluateAll((els) => els.map((e) => ({ src: (e as HTMLScriptElement).src, nonce: (e as HTMLScriptElement).nonce })));
  // Every inline script carries this response's nonce; chunks loaded later by those scripts need none ('strict-dynamic').
  const inline = scripts.filter((x) => x.src === "");
  expect(inline.length).toBeGreaterThan(0);
  expect(new Set(inline.map((x) => x.nonce))).toEqual(new Set([nonces.at(-1)]));
  expect(scripts.filter((x) => x.src !== "" && x.nonce !== "" && x.nonce !== nonces.at(-1))).toEqual([]);
  await page.goto("/?from=2026-10-28&to=2026-11-27");
  await expect.poll(() => page.getByRole("figure", { name: /Deployments per day/ }).locator(".recharts-bar-rectangle").count()).toBeGreaterThan(20);
  expect(new Set(nonces).size).toBe(nonces.length);
  expect(violations).toEqual([]);
});
