import { sql } from "drizzle-orm";
import { ZipFile } from "yazl";
import { queryRows, type Queryable } from "@/db/client";
import { csvRecords, guardCell } from "../csv";
import { config } from "../config";
import { loadPolicy } from "../policy/settings";
import { generatorVersion } from "../reports/report";
import { packageFormat, type Manifest, type ManifestFile, type ManifestSignature } from "../reports/package";
import { packageLedgerFiles } from "../reports/package-ledger";
import { populationColumns } from "../reports/population";
import { sha256Hex } from "../reports/meter";
import { signBytes, type SigningKey } from "../signing/keys";
import { safeFileName } from "./attachments";
import { frozenRows } from "./freeze";
import { renderEngagementPdf } from "./pdf";
import { requestColumns, requestRows } from "./requests";
import { summaryJson, type EngagementSummary } from "./summary";

export const sampleColumns = ["change_id", "service", "environment", "deployed_at", "pull_request", "approvers", "ci_run_id", "image_digest", "exceptions", "test_result", "test_note", "tested_by", "tested_at"] as const;

/** The sample with the auditor's test of each change, as CSV rows. */
export function sampleRows(s: EngagementSummary): string[][] {
  return s.sampled.map(({ row, test }) => [row.changeId, row.service, row.environment, row.deployedAt, row.pullRequest, row.approvers, row.ciRunId, row.imageDigest, row.exceptions, test?.result ?? "", test?.note ?? "", test?.markedBy ?? "", test?.markedAt.toISOString() ?? ""]);
}

/** CSV with a BOM; every cell guarded against spreadsheet formulas (requests carry people's text). */
export const csvText = (header: readonly string[], rows: string[][]): Buffer => Buffer.from(`\uFEFF${csvRecords([[...header], ...rows.map((r) => r.map(guardCell))])}`);

/** The request list (PBC list) CSV, as downloaded and as packaged. */
export const requestsCsv = (s: EngagementSummary): Buffer => csvText(requestColumns, requestRows(s.requests));

/**
 * The engagement's evidence package, in the format `custody verify-package` checks offline: the
 * frozen population, the sample with its tests, the request list and every attached file, the
 * closing summary (PDF and JSON), and the Merkle files proving each sampled change's ledger entries
 * against a checkpoint of the frozen tree size; then manifest.json and its Ed25519 signature.
 */
export async function engagementPackage(db: Queryable, s: EngagementSummary, key: SigningKey): Promise<{ data: Buffer; manifest: Manifest }> {
  const e = s.engagement;
  const zip = new ZipFile();
  const mtime = new Date(s.generatedAt);
  const files: ManifestFile[] = [];
  const rowCounts: Record<string, number> = {};
  const add = (path: string, data: Buffer, rows?: number) => {
    files.push({ path, sha256: sha256Hex(data), bytes: data.length, ...(rows === undefined ? {} : { rows }) });
    if (rows !== undefined) rowCounts[path.replace(/\.[a-z]+$/, "")] = rows;
    zip.addBuffer(data, path, { mtime });
  };

  const population = await frozenRows(db, e.id);
  add("population.csv", csvText(populationColumns.map(([, h]) => h), population.map((r) => populationColumns.map(([k]) => String(r[k] ?? "")))), population.length);
  add("sample.csv", csvText(sampleColumns, sampleRows(s)), s.sampled.length);
  add("requests.csv", requestsCsv(s), s.requests.length);
  for (const r of s.requests) {
    for (const m of r.messages) {
      for (const a of m.attachments) {
        const [blob] = await queryRows<{ content: Buffer | Uint8Array }>(db, sql`select content from evidence_blobs where sha256 = ${a.sha256}`);
        if (blob) add(`attachments/${a.id}-${safeFileName(a.fileName)}`, Buffer.from(blob.content));
      }
    }
  }
  add("summary.pdf", await renderEngagementPdf(s));
  add("engagement.json", Buffer.from(`${JSON.stringify(summaryJson(s), null, 2)}\n`));

  const ledger = await packageLedgerFiles(db, { ledgerHead: { seq: e.treeSize }, sample: { changes: s.sampled.map((c) => ({ change: c.row })) } }, key);
  for (const f of ledger.files) add(f.path, f.data, f.rows);
  const [head] = await queryRows<{ hash: string }>(db, sql`select hash from ledger_events where seq = ${e.treeSize}`);

  const manifest: Manifest = {
    format: packageFormat,
    generator: `${generatorVersion}; engagement 1`,
    generatedAt: s.generatedAt,
    framework: e.framework,
    period: `${e.periodFrom.toISOString()}/${e.periodTo.toISOString()}`,
    parameters: { engagement: e.id, name: e.name, environments: e.scopeEnvironments, services: e.services, treeSize: e.treeSize, sampleSeed: s.sample?.seed ?? null, sampleSize: s.sample?.size ?? 0, state: e.state },
    ledgerHead: { seq: e.treeSize, hash: head?.hash ?? "" },
    policyVersion: loadPolicy(config().policyFile).version,
    rowCounts,
    files,
    signer: { algorithm: "Ed25519", keyId: key.keyId, publicKeyPem: key.publicKeyPem },
    checkpoint: ledger.checkpoint,
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature: ManifestSignature = { algorithm: "Ed25519", keyId: key.keyId, signature: signBytes(key, manifestBytes) };
  zip.addBuffer(manifestBytes, "manifest.json", { mtime });
  zip.addBuffer(Buffer.from(`${JSON.stringify(signature, null, 2)}\n`), "manifest.sig", { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return { data: Buffer.concat(chunks), manifest };
}
