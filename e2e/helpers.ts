import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, type TestInfo } from "@playwright/test";
import { demoUsers, type DemoRole } from "../lib/demo/users";

/** On a real database the demo accounts got random passwords; scripts/e2e-server.mjs wrote them here. */
const passwordsFile = path.join(import.meta.dirname, "..", "test-results", "e2e-demo-passwords.json");
export function passwordOf(role: DemoRole, fallback: string): string {
  if (!existsSync(passwordsFile)) return fallback;
  const passwords = JSON.parse(readFileSync(passwordsFile, "utf8")) as Partial<Record<DemoRole, string>>;
  return passwords[role] ?? fallback;
}

/** Signs in through the sign-in page as the demo user of that role. */
export async function signIn(page: Page, role: DemoRole): Promise<void> {
  const user = demoUsers.find((u) => u.role === role);
  if (!user) throw new Error(`no demo user with role ${role}`);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(passwordOf(role, user.password));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

/** Saves a full-page screenshot of what the user saw, as a test artefact. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/**
 * With README_SCREENSHOTS=1, also writes the viewport (1440×900) to docs/screenshots/NAME.png, so
 * the README's pictures come from the e2e run and stay current.
 */
export async function readmeScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.README_SCREENSHOTS !== "1") return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: `docs/screenshots/${name}.png` });
  if (size) await page.setViewportSize(size);
}
