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
    // Data that resolved before the shell was flushed is sent inline, the rest follows in streamed segments;
    // either way no Suspense boundary is left pending ahead of the heading. (A page has several boundaries:
    // the first pending one may belong to another part than the marker's, so only the order with the heading holds.)
    if (o.pending > -1) expect(o.pending, `${path}: a Suspense boundary pending before the heading`).toBeGreaterThan(o.heading);
    // The deployment page's provenance (a Sigstore verification) always streams after its chain.
    if (path === deployment) {
      expect(o.pending, `${path}: provenance streamed`).toBeGreaterThan(o.heading);
      expect(o.slow, `${path}: provenance arrives in a streamed segment`).toBeGreaterThan(o.segment);
    }
  }
});
