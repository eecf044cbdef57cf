import { type Readable } from "node:stream";
import type { Database } from "@/db/client";
import { requireSigningKey } from "../signing/keys";
import { csvBuffer, csvStream, csvTable } from "./csv";
import { recordExport, type ExportActor } from "./export-log";
import { sha256Hex } from "./meter";
import { evidencePackage } from "./package";
import { describeParams, periodLabel, type ReportParams } from "./params";
import { renderReportPdf } from "./pdf";
import { buildReport, generatorVersion } from "./report";
import { populationCount } from "./scope";

export interface ExportOutput {
  body: Buffer | Readable;
  contentType: string;
  filename: string;
  /** Period, filters, generated-at, row count, generator, and the SHA-256 when known before sending. */
  headers: Record<string, string>;
  /** Resolves once the body has been fully delivered and the export recorded. */
  done: Promise<{ sha256: string }>;
}

const types = { json: "application/json; charset=utf-8", csv: "text/csv; charset=utf-8", pdf: "application/pdf", zip: "application/zip" } as const;

function baseHeaders(p: ReportParams, generatedAt: string, rows: number): Record<string, string> {
  return {
    "x-custody-period": periodLabel(p),
    "x-custody-framework": p.framework,
    "x-custody-filters": JSON.stringify({ environments: p.environments, services: p.services }),
    "x-custody-generated-at": generatedAt,
    "x-custody-row-count": String(rows),
    "x-custody-generator": generatorVersion,
    "x-custody-sample-seed": p.seed,
  };
}

/**
 * Produces one export (json, csv of one kind, pdf, or the signed zip) and records it in the audit
 * log exactly once: buffered exports before they are sent, with their hash; streamed ones when the
 * last byte has left (with the hash of what was delivered), or as `report.export.failed` when the
 * client hung up or the stream broke.
 */
export async function exportReport(db: Database, p: ReportParams, who: ExportActor, now: Date = new Date()): Promise<ExportOutput> {
  const generatedAt = now.toISOString();
  const stem = `custody-${p.framework}-${p.from.toISOString().slice(0, 10)}-${new Date(p.to.getTime() - 1).toISOString().slice(0, 10)}`;
  const target = `reports/${p.framework}`;
  const details = (extra: Record<string, unknown>) => ({ ...describeParams(p), format: p.format, generatedAt, ...extra });

  const buffered = async (body: Buffer, filename: string, rows: number, extra: Record<string, unknown> = {}): Promise<ExportOutput> => {
    const sha256 = sha256Hex(body);
    await recordExport(db, who, { action: "report.export", target, details: details({ ...extra, rows, sha256, bytes: body.length }) });
    return {
      body,
      contentType: types[p.format],
      filename,
      headers: { ...baseHeaders(p, generatedAt, rows), "x-custody-sha256": sha256 },
      done: Promise.resolve({ sha256 }),
    };
  };

  if (p.format === "csv" && p.kind !== "population") {
    const { data, stats } = await csvBuffer(csvTable(db, p, p.kind));
    return buffered(data, `${stem}-${p.kind}.csv`, stats.rows, { kind: p.kind });
  }
  if (p.format === "csv") {
    const rows = await populationCount(db, p);
    const { stream, done } = csvStream(csvTable(db, p, "population"));
    const finished = done.then(
      async (stats) => {
        await recordExport(db, who, { action: "report.export", target, details: details({ kind: "population", rows: stats.rows, sha256: stats.sha256, bytes: stats.bytes }) });
        return { sha256: stats.sha256 };
      },
      async (error: unknown) => {
        await recordExport(db, who, { action: "report.export.failed", target, details: details({ kind: "population", error: String(error).slice(0, 200) }) });
        throw error;
      },
    );
    finished.catch(() => undefined);
    return { body: stream, contentType: types.csv, filename: `${stem}-population.csv`, headers: baseHeaders(p, generatedAt, rows), done: finished };
  }
  const key = p.format === "zip" ? requireSigningKey() : null;
  const model = await buildReport(db, p, now, who.name);
  if (p.format === "json") return buffered(Buffer.from(`${JSON.stringify(model, null, 2)}\n`), `${stem}.json`, model.populationSize);
  if (p.format === "pdf") return buffered(await renderReportPdf(model), `${stem}.pdf`, model.populationSize);
  if (!key) throw new Error("unreachable: zip without a key");
  const pkg = evidencePackage(db, p, model, key);
  const finished = pkg.done.then(
    async (r) => {
      await recordExport(db, who, {
        action: "report.export",
        target,
        details: details({ rows: model.populationSize, sha256: r.packageSha256, manifestSha256: r.manifestSha256, bytes: r.bytes, keyId: key.keyId, checkpointTreeSize: r.manifest.checkpoint?.treeSize ?? null }),
      });
      return { sha256: r.packageSha256 };
    },
    async (error: unknown) => {
      await recordExport(db, who, { action: "report.export.failed", target, details: details({ error: String(error).slice(0, 200) }) });
      throw error;
    },
  );
  finished.catch(() => undefined);
  return {
    body: pkg.stream,
    contentType: types.zip,
    filename: `${stem}-evidence.zip`,
    headers: { ...baseHeaders(p, generatedAt, model.populationSize), "x-custody-key-id": key.keyId },
    done: finished,
  };
}
