import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * The page's shell (heading, filters) is sent before its slow parts: in the HTML as it arrives,
 * the <h1> comes first, then a pending Suspense boundary (React's `<!--$?-->` with the fallback),
 * and the slow part only later, in a hidden segment that replaces the fallback.
 */
function order(html: string, marker: string) {
  const heading = html.indexOf("<h1");
  const pending = html.indexOf("<!--$?-->");
  const slow = html.indexOf(marker);
  return { heading, pending, slow, segment: html.indexOf('hidden id="S:') };
}

test("pages send their heading first and stream charts and long tables after it", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/environments/production");
  const deployment = await page.getByRole("link", { name: /^Evidence chain of / }).first().getAttribute("href");
  const pages: [string, string][] = [
    ["/", "Over a period"],
    ["/findings", "findings-list"],
    ["/audit-log", "audit-table"],
    [deployment ?? "/deployments/1", "provenance-heading"],
    ["/environments", "<table"],
    ["/posture", "<table"],
  ];
  for (const [path, marker] of pages) {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(200);
    const o = order(await res.text(), marker);
    expect(o.heading, `${path}: heading`).toBeGreaterThan(-1);
    expect(o.slow, `${path}: ${marker} after the heading`).toBeGreaterThan(o.heading);
    // Data that resolved before the shell was flushed is sent inline; otherwise it follows in a streamed segment.
    if (o.pending > -1 && o.pending < o.slow) {
      expect(o.pending, `${path}: a Suspense boundary still pending when the heading was sent`).toBeGreaterThan(o.heading);
      expect(o.slow, `${path}: ${marker} arrives in the streamed part`).toBeGreaterThan(o.segment);
    }
    // The deployment page's provenance (a Sigstore verification) always comes after its chain.
    if (path === deployment) expect(o.pending, `${path}: provenance streamed`).toBeGreaterThan(o.heading);
  }
});
