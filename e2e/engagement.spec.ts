import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { readmeScreenshot, signIn, snapshot } from "./helpers";

const port = Number(process.env.E2E_PORT ?? 3210);
const minimalPdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% CAB minutes: change approved before deployment\n%%EOF\n");

/** Submits one action form and waits for its confirmation (the page re-renders after each step). */
async function submit(page: Page, form: string, button: string, done: RegExp): Promise<void> {
  const f = page.getByRole("form", { name: form });
  await f.getByRole("button", { name: button }).click();
  await expect(page.getByRole("status").filter({ hasText: done }).first()).toBeVisible();
}

test("compliance opens an engagement and invites an auditor, who samples, asks, accepts, tests and downloads a signed package that verifies", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  // Compliance creates the engagement: the population freezes at the ledger's tree size.
  await signIn(page, "compliance");
  await page.goto("/engagements");
  await expect(page.getByRole("heading", { level: 1, name: "Audit engagements" })).toBeVisible();
  await readmeScreenshot(page, "engagements-list");
  const create = page.getByRole("form", { name: "New engagement" });
  await create.getByLabel("Name").fill("SOC 2 Type II, October 2026 (e2e)");
  await create.getByLabel("Framework").selectOption("soc2");
  await create.getByLabel("Period from").fill("2026-10-01");
  await create.getByLabel("Period to (inclusive)").fill("2026-10-31");
  await create.getByLabel("Auditors' access ends").fill("2099-01-31");
  await create.getByRole("button", { name: "Create engagement and freeze population" }).click();
  await expect(page).toHaveURL(/\/engagements\/\d+$/);
  const workspace = page.url();
  await expect(page.getByRole("heading", { level: 1, name: "SOC 2 Type II, October 2026 (e2e)" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /ledger tree size \d+/ })).toBeVisible();

  const invite = page.getByRole("form", { name: "Invite an auditor" });
  await invite.getByLabel("Auditor's e-mail").fill("sam.reyes@auditfirm.example");
  await invite.getByLabel("Name").fill("Sam Reyes (Audit Firm LLP)");
  await invite.getByRole("button", { name: "Invite auditor" }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{40,}$/);
  await readmeScreenshot(page, "engagement-invite");

  // The auditor: their own browser, the one-time link, a password; then only their engagement.
  const auditorContext = await browser.newContext({ baseURL: `http://localhost:${port}`, viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const auditor = await auditorContext.newPage();
  await auditor.goto(link);
  await expect(auditor.getByRole("heading", { level: 1, name: "You are invited to an audit engagement" })).toBeVisible();
  await auditor.getByLabel("Choose a password (12 characters or more)").fill("tested-by-the-auditor-2026");
  await auditor.getByLabel("Repeat it").fill("tested-by-the-auditor-2026");
  await auditor.getByRole("button", { name: "Accept and open the engagement" }).click();
  await expect(auditor).toHaveURL(workspace);
  // The link was spent; the overview and the evidence API stay closed.
  await auditor.goto(link);
  await expect(auditor.getByText("This invitation link is unknown, already used or expired")).toBeVisible();
  expect((await auditor.request.get("/api/v1/deployments")).status()).toBe(403);
  await auditor.goto(workspace);

  const draw = auditor.getByRole("form", { name: "Draw the sample" });
  await draw.getByLabel("Size").fill("3");
  await draw.getByLabel("Seed").fill("e2e-2026");
  await submit(auditor, "Draw the sample", "Draw sample", /Draw 1: 3 of \d+ changes, seed e2e-2026/);
  const sampled = auditor.getByRole("table", { name: "Sampled changes and their tests" });
  await expect(sampled.getByRole("row")).toHaveCount(4);

  const raise = auditor.getByRole("form", { name: "Raise a request" });
  const on = raise.getByLabel("On");
  const firstChange = (await on.locator("option").nth(1).getAttribute("value")) ?? "";
  await on.selectOption(firstChange);
  await raise.getByLabel("Title").fill("Approval evidence for this change is missing");
  await raise.getByLabel("Details").fill("Please show who approved it before it was deployed.");
  await submit(auditor, "Raise a request", "Raise request", /Request \d+ raised/);

  // Compliance answers with a file.
  await page.reload();
  const answer = page.getByRole("form", { name: /^Answer request \d+$/ });
  await answer.getByLabel("Answer").fill("The CAB approved it on the morning of the deployment; minutes attached.");
  await answer.getByLabel(/^Files/).setInputFiles({ name: "CAB minutes 2026-10-14.pdf", mimeType: "application/pdf", buffer: minimalPdf });
  await answer.getByRole("button", { name: "Send answer" }).click();
  await expect(page.getByRole("status").filter({ hasText: /answered with 1 file/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "CAB_minutes_2026-10-14.pdf" })).toBeVisible();
  await readmeScreenshot(page, "engagement-answered");

  // The auditor downloads the file (never shown inline), accepts, marks every sampled change and signs off.
  await auditor.reload();
  const fileLink = auditor.getByRole("link", { name: "CAB_minutes_2026-10-14.pdf" });
  const fileRes = await auditor.request.get((await fileLink.getAttribute("href")) ?? "");
  expect(fileRes.headers()["content-disposition"]).toBe('attachment; filename="CAB_minutes_2026-10-14.pdf"');
  await submit(auditor, (await auditor.getByRole("form", { name: /^Resolve request \d+$/ }).getAttribute("aria-label")) ?? "", "Accept or reopen", /Request \d+ accepted/);
  const ids = await sampled.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.querySelector('input[name="changeId"]')?.getAttribute("value") ?? ""));
  for (const [i, id] of ids.entries()) {
    const mark = auditor.getByRole("form", { name: `Test of ${id}` });
    if (i === 0) {
      await mark.getByLabel("Result").selectOption("exception");
      await mark.getByLabel("Note").fill("Approved after the deployment started");
    }
    await mark.getByRole("button", { name: "Mark" }).click();
    await expect(auditor.getByRole("status").filter({ hasText: `${id}: ${i === 0 ? "exception" : "pass"}` })).toBeVisible();
  }
  await readmeScreenshot(auditor, "engagement-auditor-workspace");
  // Their header's Help link opens the auditors' guide at their workspace (it answered 403); the other guides stay closed.
  const workspaceUrl = auditor.url();
  await auditor.getByRole("link", { name: "Help for this page" }).click();
  await expect(auditor).toHaveURL(/\/help\/auditors#audit-engagements-the-external-auditors-workspace$/);
  await expect(auditor.getByRole("heading", { name: "Audit engagements: the external auditor's workspace" })).toBeVisible();
  await expect(auditor.getByRole("navigation", { name: "Help" }).getByRole("link")).toHaveText(["Auditors"]);
  expect((await auditor.request.get("/help/operators")).status()).toBe(403);
  await auditor.goto(workspaceUrl);
  await snapshot(auditor, testInfo, "engagement-before-sign-off");
  const signOff = auditor.getByRole("form", { name: "Sign off and close" });
  await signOff.getByLabel("Conclusion").fill("Change management operated effectively in October 2026, with one exception.");
  // Once closed, the sign-off form gives way to the record of it.
  await signOff.getByRole("button", { name: "Sign off and close engagement" }).click();
  await expect(auditor.getByText(/^Closed .* by sam\.reyes@auditfirm\.example\./)).toBeVisible();
  await readmeScreenshot(auditor, "engagement-signed-off");

  const [pdf] = await Promise.all([auditor.waitForEvent("download", { timeout: 30_000 }), auditor.getByRole("link", { name: "Summary PDF" }).click()]);
  await pdf.saveAs(testInfo.outputPath("engagement-summary.pdf"));
  const [pkg] = await Promise.all([auditor.waitForEvent("download", { timeout: 30_000 }), auditor.getByRole("link", { name: "Signed evidence package" }).click()]);
  const zip = testInfo.outputPath("engagement-package.zip");
  await pkg.saveAs(zip);
  expect(pkg.suggestedFilename()).toMatch(/^engagement-\d+-signed-off\.zip$/);
  // Offline check with the instance's published key, as an auditor does on their own machine.
  const cli = path.join(import.meta.dirname, "..", "bin", "custody.mjs");
  const verified = spawnSync(process.execPath, [cli, "verify-package", zip, "--keys-url", `http://localhost:${port}/api/v1/keys`], { encoding: "utf8" });
  expect(verified.status, `${verified.stdout}\n${verified.stderr}`).toBe(0);
  await auditorContext.close();
});
