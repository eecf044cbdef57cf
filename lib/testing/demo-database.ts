import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { DEMO_DEFAULT_END } from "../demo/generate";
import { loadDemo } from "../demo/load";
import { ingestDemo } from "../reports/test-support";

/**
 * Loading the demo history through the ingest path and the evaluator costs tens of seconds, and a dozen test
 * files need it. Each kind is loaded once into a template database (an embedded data folder dump, or a
 * Postgres template database) and each test file gets a copy. The template's key is a hash of every source
 * file the loading runs through (lib/ and db/, tests excluded), so any change to what it would write makes
 * a new one.
 */
let sources: string | undefined;
function sourcesHash(): string {
  if (sources) return sources;
  const hash = createHash("sha256");
  const root = path.join(import.meta.dirname, "..", "..");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|sql|json)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) hash.update(p.slice(root.length)).update(readFileSync(p));
    }
  };
  walk(path.join(root, "lib"));
  walk(path.join(root, "db"));
  sources = hash.digest("hex").slice(0, 12);
  return sources;
}

/**
 * A fresh database holding the demo history: `full` is what `custody demo` loads (90 days, the demo users
 * and engagements); `30-days` is the 30-day history of lib/reports/test-support.ts (events only).
 */
export function demoDatabase(kind: "full" | "30-days"): Promise<DatabaseHandle & { url?: string }> {
  return createTestDatabase({
    key: `${kind === "full" ? "demo" : "demo30"}_${sourcesHash()}`,
    fill: async (db) => {
      if (kind === "full") await loadDemo(db, "public", new Date(DEMO_DEFAULT_END));
      else await ingestDemo(db);
    },
  });
}
