import type { Readable } from "node:stream";
import type { Queryable } from "@/db/client";
import { csvRecords, guardCell } from "../csv";
import { meteredText } from "./meter";
import { type CsvKind, type ReportParams } from "./params";
import { populationColumns, populationPages, type ChangeRow } from "./population";
import { ruleControlLabels, ruleSeverity, ruleTitle } from "./rule-text";
import { isRuleId, ruleById } from "../policy/catalogue";
import { exceptionColumns, exceptionRows, incidentColumns, incidentRows, waiverColumns, waiverRows } from "./registers";

/** A table's header and its records, in batches (a page of the population, say). */
export interface CsvTable {
  columns: readonly string[];
  batches: AsyncIterable<ReadonlyArray<readonly string[]>>;
}

async function* once(rows: Promise<string[][]>): AsyncGenerator<ReadonlyArray<readonly string[]>> {
  yield await rows;
}

/** The cells of `keys`, as text, of each row of each page. */
async function* pick<T>(pages: AsyncIterable<readonly T[]>, keys: ReadonlyArray<keyof T>): AsyncGenerator<ReadonlyArray<readonly string[]>> {
  for await (const page of pages) yield page.map((r) => keys.map((k) => String(r[k] ?? "")));
}

/** Rows in pages of `size`, for sources that produce one row at a time. */
async function* paged<T>(rows: AsyncIterable<T>, size = 500): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const r of rows) {
    page.push(r);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** The long-format companion of the population: one row per change and stored check. */
export const checkColumns = [
  "change_id", "service", "environment", "pull_request", "deployed_at", "rule_id", "rule_title", "gate", "severity", "result", "controls",
] as const;

/** `merge`, `deployment`, `production-apply`, or `image` for a check of the deployed image. */
function gateOf(ruleId: string): string {
  if (!isRuleId(ruleId)) return "";
  const rule = ruleById(ruleId);
  return rule.kind === "gate" ? rule.gate : rule.kind;
}

async function* checkRows(pages: AsyncIterable<readonly ChangeRow[]>, framework: ReportParams["framework"]): AsyncGenerator<ReadonlyArray<readonly string[]>> {
  for await (const page of pages) {
    yield page.flatMap((c) =>
      c.checks.map((k) => [
        c.changeId, c.service, c.environment, c.pullRequest, c.deployedAt, k.rule, ruleTitle(k.rule),
        gateOf(k.rule), ruleSeverity(k.rule), k.result, ruleControlLabels(k.rule, framework),
      ]),
    );
  }
}

export function csvTable(db: Queryable, p: ReportParams, kind: CsvKind): CsvTable {
  switch (kind) {
    case "population":
      return { columns: populationColumns.map(([, h]) => h), batches: pick(populationPages(db, p), populationColumns.map(([k]) => k)) };
    case "checks":
      return { columns: checkColumns, batches: checkRows(populationPages(db, p), p.framework) };
    case "exceptions":
      return { columns: exceptionColumns.map(([, h]) => h), batches: pick(paged(exceptionRows(db, p)), exceptionColumns.map(([k]) => k)) };
    case "incidents":
      return { columns: incidentColumns, batches: once(incidentRows(db, p)) };
    case "waivers":
      return { columns: waiverColumns, batches: once(waiverRows(db, p)) };
  }
}

export interface CsvStats {
  rows: number;
  bytes: number;
  sha256: string;
}

/** The header (after a UTF-8 BOM, so spreadsheets read the file as UTF-8), then each batch's records, formula-guarded. */
async function* csvText(table: CsvTable, counted: (n: number) => void): AsyncGenerator<string> {
  yield `\ufeff${csvRecords([table.columns])}`;
  for await (const batch of table.batches) {
    if (batch.length === 0) continue;
    counted(batch.length);
    yield csvRecords(batch.map((r) => r.map(guardCell)));
  }
}

/**
 * Streams a table as RFC 4180 CSV (CRLF, quoted where needed, UTF-8 BOM), a batch at a time. `done`
 * resolves with the row count and the SHA-256 of the bytes once they are all out.
 */
export function csvStream(table: CsvTable): { stream: Readable; done: Promise<CsvStats> } {
  let rows = 0;
  const { stream, done } = meteredText(csvText(table, (n) => (rows += n)));
  const stats = done.then((m) => ({ rows, ...m }));
  stats.catch(() => undefined);
  return { stream, done: stats };
}

/** Collects a CSV in memory (small registers, tests). */
export async function csvBuffer(table: CsvTable): Promise<{ data: Buffer; stats: CsvStats }> {
  const { stream, done } = csvStream(table);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { data: Buffer.concat(chunks), stats: await done };
}
