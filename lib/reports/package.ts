import { type Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { Queryable } from "@/db/client";
import { describeParams, type ReportParams } from "./params";
import { csvKinds, type CsvKind } from "./params";
import { csvStream, csvTable } from "./csv";
import { ledgerExtract } from "./ledger-extract";
import { packageLedgerFiles, type PackageCheckpoint } from "./package-ledger";
import { meter, meteredText, sha256Hex } from "./meter";
import { renderReportPdf } from "./pdf";
import { type ReportModel } from "./report";
import { signBytes, type SigningKey } from "../signing/keys";

export const packageFormat = "custody-evidence-package/1";

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
  rows?: number;
}

export interface Manifest {
  format: string;
  generator: string;
  generatedAt: string;
  framework: string;
  period: string;
  parameters: Record<string, unknown>;
  ledgerHead: { seq: number; hash: string };
  policyVersion: string;
  rowCounts: Record<string, number>;
  files: ManifestFile[];
  signer: { algorithm: "Ed25519"; keyId: string; publicKeyPem: string };
  /** The signed checkpoint in checkpoint.txt that ledger-proofs.jsonl proves against; null for an empty ledger. */
  checkpoint: PackageCheckpoint | null;
}

export interface ManifestSignature {
  algorithm: "Ed25519";
  keyId: string;
  /** Base64 Ed25519 signature over the exact bytes of manifest.json. */
  signature: string;
}

export interface PackageResult {
  manifest: Manifest;
  manifestSha256: string;
  packageSha256: string;
  bytes: number;
}

/**
 * Streams the evidence package as a zip: the four CSVs, the PDF, the report as JSON, the ledger
 * extract and the policy, then manifest.json (SHA-256 of every file) and manifest.sig. Files stream
 * one after another, so memory stays bounded whatever the population.
 */
export function evidencePackage(db: Queryable, p: ReportParams, model: ReportModel, key: SigningKey): { stream: Readable; done: Promise<PackageResult> } {
  const zip = new ZipFile();
  const mtime = new Date(model.generatedAt);
  const whole = meter();
  const stream = zip.outputStream.pipe(whole.transform);
  const files: ManifestFile[] = [];
  const rowCounts: Record<string, number> = {};

  const addBuffer = (path: string, data: Buffer, rows?: number) => {
    files.push({ path, sha256: sha256Hex(data), bytes: data.length, ...(rows === undefined ? {} : { rows }) });
    zip.addBuffer(data, path, { mtime });
  };

  const produce = async (): Promise<PackageResult> => {
    for (const kind of csvKinds satisfies readonly CsvKind[]) {
      const { stream: csv, done } = csvStream(csvTable(db, p, kind));
      zip.addReadStream(csv, `${kind}.csv`, { mtime });
      const stats = await done;
      rowCounts[kind] = stats.rows;
      files.push({ path: `${kind}.csv`, sha256: stats.sha256, bytes: stats.bytes, rows: stats.rows });
    }
    let ledgerRows = 0;
    const ledger = meteredText(ledgerExtract(db, p, () => (ledgerRows += 1)));
    zip.addReadStream(ledger.stream, "ledger-extract.jsonl", { mtime });
    const lm = await ledger.done;
    rowCounts.ledger = ledgerRows;
    files.push({ path: "ledger-extract.jsonl", sha256: lm.sha256, bytes: lm.bytes, rows: ledgerRows });

    const ledgerProofs = await packageLedgerFiles(db, model, key);
    for (const f of ledgerProofs.files) addBuffer(f.path, f.data, f.rows);

    addBuffer("report.pdf", await renderReportPdf(model));
    addBuffer("report.json", Buffer.from(`${JSON.stringify(model, null, 2)}\n`));
    const { version, ...settings } = model.policy.inForce;
    addBuffer("policy.json", Buffer.from(`${JSON.stringify({ version, settings, versionsUsedInPeriod: model.policy.versionsUsed }, null, 2)}\n`));

    const manifest: Manifest = {
      format: packageFormat,
      generator: model.generatorVersion,
      generatedAt: model.generatedAt,
      framework: model.framework,
      period: model.period,
      parameters: describeParams(p),
      ledgerHead: model.ledgerHead,
      policyVersion: version,
      rowCounts,
      files,
      signer: { algorithm: "Ed25519", keyId: key.keyId, publicKeyPem: key.publicKeyPem },
      checkpoint: ledgerProofs.checkpoint,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const signature: ManifestSignature = { algorithm: "Ed25519", keyId: key.keyId, signature: signBytes(key, manifestBytes) };
    zip.addBuffer(manifestBytes, "manifest.json", { mtime });
    zip.addBuffer(Buffer.from(`${JSON.stringify(signature, null, 2)}\n`), "manifest.sig", { mtime });
    zip.end();
    const total = await whole.done;
    return { manifest, manifestSha256: sha256Hex(manifestBytes), packageSha256: total.sha256, bytes: total.bytes };
  };
  const done = produce();
  done.catch((e: unknown) => stream.destroy(e instanceof Error ? e : new Error(String(e))));
  return { stream, done };
}
