import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("compliance staff request a waiver on an open finding and an admin approves it", async ({ page }, testInfo) => {
  await signIn(page, "compliance");
  await page.goto("/findings?status=open");
  const links = await page.locator('a[href^="/findings/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  let finding = "";
  for (const href of [...new Set(links)].filter((h) => /^\/findings\/\d+$/.test(h))) {
    await page.goto(href);
    if ((await page.getByRole("form", { name: "Request a waiver" }).count()) > 0 && (await page.getByRole("form", { name: /^Waiver request / }).count()) === 0) {
      finding = href;
      break;
    }
  }
  expect(finding, "an open finding with no waiver yet").not.toBe("");
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const request = page.getByRole("form", { name: "Request a waiver" });
  await request.getByLabel(/Why this finding may stand/).fill("Compensating control: the service is behind the admission webhook until the fix ships.");
  await request.getByLabel("Until").fill(until);
  await request.getByRole("button", { name: "Request waiver" }).click();
  const pending = page.getByRole("form", { name: /^Waiver request / });
  await expect(pending).toContainText("Compensating control");
  // The requester cannot approve their own request.
  await expect(pending.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(pending).toContainText("waiting for someone else to approve");
  // A request alone waives nothing: the finding's headline shows no waiver yet.
  await expect(page.getByText(/^waived until /)).toHaveCount(0);
  await snapshot(page, testInfo, "waiver-requested");

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "admin");
  await page.goto(finding);
  await page.getByRole("form", { name: /^Waiver request / }).getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText(new RegExp(`Waived until ${until}`))).toBeVisible();
  // Beside "open" under the headline: the finding stands, accepted until then.
  await expect(page.getByText(`waived until ${until}`, { exact: true })).toBeVisible();
  await expect(page.getByRole("form", { name: /^Waiver request / })).toHaveCount(0);
  await snapshot(page, testInfo, "waiver-approved");
});

test("an auditor downloads the PDF report in the browser and it reads as a report", async ({ page }, testInfo) => {
  await signIn(page, "auditor");
  await page.goto("/reports?framework=iso27001&from=2026-10-01&to=2026-11-27&format=pdf&sample=3&seed=e2e");
  await expect(page.getByRole("heading", { level: 1, name: "Evidence reports" })).toBeVisible();
  await snapshot(page, testInfo, "reports-preview");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download PDF" }).click()]);
  expect(download.suggestedFilename()).toBe("custody-iso27001-2026-10-01-2026-11-27.pdf");
  const file = testInfo.outputPath("report.pdf");
  await download.saveAs(file);
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  expect(text).toContain("Change management evidence");
  expect(text).toContain("1 October 2026 – 27 November 2026");
  expect(text).toMatch(/Contents[\s\S]*Summary per control/);
  expect(text).toMatch(/8\.32 Change management/);
  expect(text).toMatch(/Prepared by\s+(auditor@custody\.demo|Arun Auditor)/);
  expect(text).toContain("Sign-off");
  expect(text).toContain("seed e2e");
});
