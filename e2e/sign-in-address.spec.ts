import { expect, test } from "@playwright/test";
import { demoUsers } from "../lib/demo/users";
import { passwordOf } from "./helpers";

// The server listens on localhost; people reach it at 127.0.0.1 or a LAN name too. The sign-in
// answer must bring them back to the address they used, inside the CSP's form-action 'self'.
test("a person signs in through http://127.0.0.1 and stays on that address", async ({ page, baseURL }) => {
  const user = demoUsers.find((u) => u.role === "auditor");
  if (!user || !baseURL) throw new Error("no auditor demo user or base URL");
  const origin = baseURL.replace("localhost", "127.0.0.1");
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|form-action/i.test(m.text())) refused.push(m.text());
  });
  await page.goto(`${origin}/findings`);
  await expect(page).toHaveURL(`${origin}/sign-in?next=%2Ffindings`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(passwordOf("auditor", user.password));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${origin}/findings`);
  await expect(page.getByRole("heading", { level: 1, name: /Findings/ })).toBeVisible();

  await page.getByRole("button", { name: /Sign out/ }).click();
  await expect(page).toHaveURL(new RegExp(`^${origin.replace(/[.]/g, "\\.")}/sign-in`));
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`^${origin.replace(/[.]/g, "\\.")}/sign-in\\?error=invalid`));
  expect(refused).toEqual([]);
});
