// `npm run bench`: every benchmark against the real Postgres (DATABASE_URL, else the local server),
// a readable table, then one JSON line per figure.
import { existsSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { meets, type BenchContext, type Figure } from "./figure";
import { BenchRefused } from "./server";

const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ctx: BenchContext = { serverUrl };
const only = process.argv.slice(2);

const suites: Array<{ name: string; file: string; fn: string }> = [
  { name: "ingest", file: "ingest.ts", fn: "benchIngest" },
  { name: "evidence", file: "evidence.ts", fn: "benchEvidence" },
  { name: "drift", file: "drift.ts", fn: "benchDrift" },
  { name: "dashboard", file: "dashboard.ts", fn: "benchDashboard" },
  { name: "reports", file: "reports.ts", fn: "benchReports" },
  { name: "policy", file: "policy.ts", fn: "benchPolicy" },
  { name: "ledger", file: "ledger.ts", fn: "benchLedger" },
  { name: "provenance", file: "provenance.ts", fn: "benchProvenance" },
  { name: "gates", file: "gates.ts", fn: "benchGates" },
  { name: "demo", file: "demo.ts", fn: "benchDemo" },
  // Not in a plain `npm run bench`: hours at full size; `npm run bench -- scale` asks for it.
  { name: "scale", file: "scale.ts", fn: "benchScale" },
];

const figures: Figure[] = [];
process.stderr.write(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} at the start\n`);
const refused: string[] = [];
for (const s of suites) {
  if (only.length > 0 && !only.includes(s.name)) continue;
  if (only.length === 0 && s.name === "scale") continue;
  if (!existsSync(path.join(import.meta.dirname, s.file))) continue;
  process.stderr.write(`running ${s.name}…\n`);
  const mod = (await import(`./${s.file}`)) as Record<string, (c: BenchContext) => Promise<Figure[]>>;
  const run = mod[s.fn];
  if (!run) throw new Error(`${s.file} does not export ${s.fn}`);
  const t = performance.now();
  try {
    figures.push(...(await run(ctx)));
  } catch (error) {
    // A bench that cannot measure honestly (failed evaluations, a queue that never drains) prints
    // its reason and no figure; the run goes on with the other suites and exits non-zero.
    if (!(error instanceof BenchRefused)) throw error;
    refused.push(`${s.name}: ${error.message}`);
    process.stderr.write(`${s.name} REFUSED: ${error.message}\n`);
    continue;
  }
  process.stderr.write(`${s.name} done in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}

const rows = figures.map((f) => {
  const ok = meets(f);
  return [f.figure, `${f.value} ${f.unit}`, f.target ?? "", ok === null ? "" : ok ? "ok" : "MISSED", f.reference ?? ""];
});
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length), 6));
const line = (r: string[]) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c)).join("  ");
process.stdout.write(`${line(["figure", "value", "target", "result", "reference"])}\n`);
for (const r of rows) process.stdout.write(`${line(r.map(String))}\n`);
process.stdout.write("\n");
for (const f of figures) process.stdout.write(`${JSON.stringify({ figure: f.figure, value: f.value, unit: f.unit, target: f.target, reference: f.reference ?? null })}\n`);
for (const r of refused) process.stdout.write(`REFUSED ${r}\n`);
process.stdout.write(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} at the end\n`);
if (refused.length > 0) process.exitCode = 1;
