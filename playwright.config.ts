import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  // One test at a time: the journeys change the demo in file-name order, and the accessibility audit runs after
  // them (see projects). Tried: the audit beside the journeys in a second worker saved 31 s of 292 s on two cores,
  // but what it audited then depended on how far the journeys had come.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: true,
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    // A failed test keeps its trace (DOM snapshots, network, console); the screencast is left out, since
    // recording it for every passing test costs more CPU than the rest of the run on a two-core machine.
    trace: { mode: "retain-on-failure", snapshots: true, screenshots: false, sources: true },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    },
  },
  // Every screenshot a test saves (test-results/e2e, kept by CI) is taken at this size.
  projects: [
    // The journeys, one file at a time in name order: drift-now.spec.ts must see the demo's hot patch before
    // incidents.spec.ts ends it.
    { name: "desktop", testIgnore: "accessibility.spec.ts", use: { browserName: "chromium", viewport: { width: 1440, height: 900 } } },
    // Then every page for every role, audited with axe-core, on the demo as the journeys left it: the records it
    // finds through the pages (the newest finding, an incident) include the ones they made. Listed second, it runs
    // second (one worker); not a dependency, so a failed journey does not skip the audit.
    { name: "audit", testMatch: "accessibility.spec.ts", use: { browserName: "chromium", viewport: { width: 1440, height: 900 } } },
  ],
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `http://localhost:${port}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: { E2E_PORT: String(port) },
    // SIGTERM, not the default SIGKILL, so scripts/e2e-server.mjs drops the database it created.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
