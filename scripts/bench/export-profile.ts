// Profiling aid, not a benchmark (`npx tsx scripts/bench/export-profile.ts`, under the heavy lock;
// add `node --cpu-prof --import tsx` for a CPU profile): the latest year's population CSV of a kept
// scale load (`npm run bench -- scale` with BENCH_SCALE_KEEP=1) streamed in-process, as the route
// does, into a sink that hashes it, with the time of each page's statements and the heap. The
// database is PROFILE_DATABASE_URL, else `<DATABASE_URL's database>_scale_<BENCH_SCALE>`.
// PROFILE_RUNS (default 3) runs; PROFILE_SLOW_READER=1 reads slowly to show what backpressure holds.
import { createHash } from "node:crypto";
import os from "node:os";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { openDatabase } from "@/db/client";
import { sql } from "drizzle-orm";
import { csvRecords, guardCell } from "@/lib/csv";
import { csvStream, csvTable } from "@/lib/reports/csv";
import { changeRows, populationColumns, populationIdPages } from "@/lib/reports/population";
import { parseReportParams } from "@/lib/reports/params";

const SCALE = Number(process.env.BENCH_SCALE ?? 0.02);
const url = (() => {
  if (process.env.PROFILE_DATABASE_URL) return process.env.PROFILE_DATABASE_URL;
  const u = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  const own = u.pathname.slice(1);
  u.pathname = `/${own && own !== "postgres" ? `${own}_` : "custody_"}scale_${String(SCALE).replace(/[^0-9]/g, "_")}`;
  return u.toString();
})();
const END = Date.UTC(2026, 10, 1);
const from = new Date(END - 365 * 86_400_000).toISOString().slice(0, 10);
const to = new Date(END - 86_400_000).toISOString().slice(0, 10);
const runs = Number(process.env.PROFILE_RUNS ?? 3);
const slow = process.env.PROFILE_SLOW_READER === "1";

const h = await openDatabase({ url });
const p = parseReportParams("soc2", { from, to, format: "csv", kind: "population" });
const mb = (n: number) => Math.round(n / 1e6);
console.error(`export-profile: ${new URL(url).pathname.slice(1)}, ${from}..${to}; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (let r = 0; r < runs; r++) {
  global.gc?.();
  const heap0 = process.memoryUsage();
  let peakHeap = heap0.heapUsed;
  let peakRss = heap0.rss;
  let bytes = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const hash = createHash("sha256");
  const t = performance.now();
  const { stream, done } = csvStream(csvTable(h.db, p, "population"));
  await pipeline(
    stream,
    new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        hash.update(chunk);
        if (slow) setTimeout(cb, 1);
        else cb();
      },
    }),
  );
  const stats = await done;
  const ms = performance.now() - t;
  clearInterval(sampler);
  console.error(
    `run ${r + 1}: ${(ms / 1000).toFixed(2)} s, ${stats.rows} rows (${((ms * 1000) / stats.rows).toFixed(1)} µs a change), ${mb(bytes)} MB, sha256 ${stats.sha256.slice(0, 16)}; ` +
      `heap ${mb(heap0.heapUsed)} -> peak ${mb(peakHeap)} MB, rss ${mb(heap0.rss)} -> peak ${mb(peakRss)} MB; load ${os.loadavg()[0]?.toFixed(2)}`,
  );
}
// One pass with nothing in flight, each part timed on its own: the id walk, the page statements
// (with the rows built from them), and the CSV text of those rows.
if (process.env.PROFILE_PHASES !== "0") {
  const part = { ids: 0, rows: 0, csv: 0 };
  let pages = 0;
  let n = 0;
  let t = performance.now();
  for await (const ids of populationIdPages(h.db, p)) {
    part.ids += performance.now() - t;
    t = performance.now();
    const rows = await changeRows(h.db, sql`d.id = any(${sql.param(ids.map((i) => i.id))}::bigint[])`);
    part.rows += performance.now() - t;
    t = performance.now();
    csvRecords(rows.map((r) => populationColumns.map(([k]) => guardCell(String(r[k] ?? "")))));
    part.csv += performance.now() - t;
    pages += 1;
    n += rows.length;
    t = performance.now();
  }
  const us = (ms: number) => `${((ms * 1000) / n).toFixed(1)} µs a change`;
  console.error(`phases, ${pages} pages, ${n} rows, sequential: id walk ${Math.round(part.ids)} ms (${us(part.ids)}), page statements + rows ${Math.round(part.rows)} ms (${us(part.rows)}), CSV text ${Math.round(part.csv)} ms (${us(part.csv)}); load ${os.loadavg()[0]?.toFixed(2)}`);
}
await h.close();
