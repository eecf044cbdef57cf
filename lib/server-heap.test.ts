import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

/**
 * Runs a process that holds ~60 MB live and keeps making objects that survive a few collections
 * (promoted, then garbage), as answering state-at queries does, with boundHeapGrowth(percent)
 * applied first; answers its peak heap size in MB. V8's own heuristics let the old generation grow
 * to several times the live heap before collecting it again.
 */
function peakHeapMb(percent: number): number {
  const script = `
    const v8 = require("node:v8");
    const { boundHeapGrowth } = require(${JSON.stringify(path.join(__dirname, "server-heap.ts"))});
    boundHeapGrowth(${percent});
    const live = Array.from({ length: 30 }, (_, i) => Array.from({ length: 15000 }, (_, k) => ({ i, k, s: "live-" + i + "-" + k })));
    const ring = [];
    let peak = 0;
    for (let r = 0; r < 300; r++) {
      ring.push(Array.from({ length: 15000 }, (_, k) => ({ r, k, s: "g-" + r + "-" + k })));
      if (ring.length > 20) ring.shift();
      peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    globalThis.keep = live;
    process.stdout.write(String(Math.round(peak / 1048576)));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", timeout: 60_000 });
  return Number(out.trim());
}

describe("the server's heap growth between full collections", () => {
  it("is bounded by CUSTODY_HEAP_GROWING_PERCENT: half as large a peak heap at the default 50 as with V8's own growth (0)", () => {
    const bounded = peakHeapMb(50);
    const own = peakHeapMb(0);
    expect(own).toBeGreaterThan(250);
    expect(bounded).toBeLessThan(own * 0.6);
  }, 60_000);

  it("defaults to 50, takes 0 to leave V8's heuristics, and refuses what is not a whole number up to 400", () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ CUSTODY_HEAP_GROWING_PERCENT: "0" }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ CUSTODY_HEAP_GROWING_PERCENT: "120" }).heapGrowingPercent).toBe(120);
    expect(() => loadConfig({ CUSTODY_HEAP_GROWING_PERCENT: "401" })).toThrow("CUSTODY_HEAP_GROWING_PERCENT must be 400 or less");
    expect(() => loadConfig({ CUSTODY_HEAP_GROWING_PERCENT: "1.5" })).toThrow("CUSTODY_HEAP_GROWING_PERCENT must be a whole number");
  });
});
