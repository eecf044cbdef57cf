import { execFileSync } from "node:child_process";
import { createHash, createPublicKey } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { type createTestDatabase } from "@/db/testing";
import { ingestEvents } from "../ingest/events-api";
import { checkExtractedEntry, type ExtractedEntry } from "../ledger/entry-check";
import { ledgerHead } from "../ledger/ledger";
import { signNote } from "../ledger/signed-note";
import { parseSigningKey, signBytes } from "../signing/keys";
import { evidencePackage, type Manifest } from "./package";
import type { LedgerProofLine } from "./package-ledger";
import { parseReportParams } from "./params";
import { renderReportPdf } from "./pdf";
import { buildReport, type ReportModel } from "./report";
import { populationCount } from "./scope";
import { collect, demoPeriod, rezip, testSigningKey, unzip } from "./test-support";
import { verifyPackage } from "./verify-package";
import { demoDatabase } from "@/lib/testing/demo-database";

let handle: Awaited<ReturnType<typeof createTestDatabase>>;
const key = testSigningKey();
// The ledger extract holds what was received in the period: end it today, so the ingestion below is in it.
const today = new Date().toISOString().slice(0, 10);
const p = parseReportParams("iso27001", { from: demoPeriod.from, to: today > demoPeriod.to ? today : demoPeriod.to, format: "zip", sample: "12", seed: "audit-2026" });
let model: ReportModel;
let zip: Buffer;

beforeAll(async () => {
  handle = await demoDatabase("30-days");
  model = await buildReport(handle.db, p, new Date("2026-12-01T09:00:00Z"));
  const pkg = evidencePackage(handle.db, p, model, key);
  zip = await collect(pkg.stream);
  await pkg.done;
}, 240_000);
afterAll(async () => handle?.close());

const pdfText = (pdf: Buffer): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "custody-pdf-"));
  const file = path.join(dir, "r.pdf");
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
};

describe("sample", () => {
  it("is reproducible from its seed and changes with another seed", async () => {
    const again = await buildReport(handle.db, p);
    expect(again.sample.changeIds).toEqual(model.sample.changeIds);
    expect(model.sample.size).toBe(12);
    const other = await buildReport(handle.db, { ...p, seed: "another-seed" });
    expect(other.sample.changeIds).not.toEqual(model.sample.changeIds);
  }, 60_000);

  it("suggests 29 at 95 % / 10 % and caps the size at the population", async () => {
    const suggested = parseReportParams("soc2", { ...demoPeriod });
    expect(suggested.sampleSize).toBe(29);
    expect(parseReportParams("soc2", { ...demoPeriod, confidence: "90", tolerable: "5" }).sampleSize).toBe(45);
    const all = await buildReport(handle.db, { ...p, sampleSize: 100_000 });
    expect(all.sample.size).toBe(await populationCount(handle.db, p));
  }, 60_000);
});

describe("PDF report", () => {
  it("shows the cover facts, the per-control figures, the seed and one evidence page per sampled change", async () => {
    const text = pdfText(await renderReportPdf(model));
    expect(text).toContain("ISO/IEC 27001:2022 Annex A");
    expect(text).toContain(`${model.populationSize} production changes`);
    expect(text).toContain(model.ledgerHead.hash);
    expect(text).toContain("seed audit-2026");
    expect(text).toContain(model.generatorVersion);
    const change = model.controls.find((c) => c.control.id === "8.32");
    expect(change).toBeDefined();
    expect(text).toMatch(/8\.32 Change management/);
    for (const id of model.sample.changeIds) expect(text).toMatch(new RegExp(`Change id\\s+${id}`));
    expect(text).not.toContain("CC8.1");
    // Each sampled change's page says where its records came from (the demo was loaded with the CLI).
    expect(text.match(/Deployment record from\s+the CLI/g)?.length).toBe(model.sample.changeIds.length);
    expect(text).toMatch(/Source\s+the CLI/);
  }, 60_000);

  it("reads as a deliverable: period in words, contents, exceptions grouped by rule and dated by their change, sign-off, no JSON", async () => {
    const text = pdfText(await renderReportPdf(model));
    // demoPeriod.from is 2026-10-28; the report ends today or on demoPeriod.to, both days included.
    expect(text).toMatch(/28 October 2026 – \d{1,2} [A-Z][a-z]+ 20\d\d \(UTC, both days included\)/);
    expect(text).toContain("Organisation not configured (set CUSTODY_ORGANISATION)");
    expect(text).toMatch(/Contents[\s\S]*Summary per control\s+\d+[\s\S]*Exceptions by rule\s+\d+[\s\S]*Sign-off\s+\d+/);
    expect(text).toMatch(/Prepared by\s+unknown, with Custody/);
    for (const role of ["Prepared by", "Reviewed by", "Approved by"]) expect(text).toContain(role);
    // Each rule's count before its detail, in the by-rule table and on the group's heading.
    const [topRule, topCount] = Object.entries(model.exceptions.byRule).sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    expect(text).toContain(`${topRule}: `);
    expect(text).toMatch(new RegExp(`${topRule.replace(/\./g, "\\.")}: .*\\(${topCount}`));
    // An exception is dated by the deployment it concerns, not by when the check was evaluated.
    const gateException = model.exceptions.shown.find((e) => e.source === "gate check");
    const [deployed] = await queryRows<{ deployed_at: Date }>(handle.db, sql`select deployed_at from deployments where external_id = ${gateException?.changeId ?? ""}`);
    expect(gateException?.changeAt).toBe(new Date(deployed?.deployed_at ?? 0).toISOString());
    expect(text).toContain(`${gateException?.changeAt.slice(0, 10)}`);
    // Changes are named by service and pull request.
    const sampled = model.sample.changes[0]?.change;
    if (sampled?.pullRequest) expect(text).toContain(`${sampled.service} · ${sampled.pullRequest}`);
    expect(text).not.toMatch(/\{"|":\s*\d|\[\{/);
    expect(text).toMatch(/Vulnerability scan\s+(passed|failed): (no vulnerabilities|\d+ \w+)/);
  }, 60_000);
});

describe("evidence package", () => {
  it("holds every file, hashed in a signed manifest, and verifies against the instance key", async () => {
    const files = await unzip(zip);
    expect([...files.keys()].sort()).toEqual(
      [
        "checkpoint.txt",
        "checks.csv",
        "consistency.json",
        "exceptions.csv",
        "incidents.csv",
        "ledger-extract.jsonl",
        "ledger-proofs.jsonl",
        "manifest.json",
        "manifest.sig",
        "policy.json",
        "population.csv",
        "report.json",
        "report.pdf",
        "waivers.csv",
      ].sort(),
    );
    const manifest = JSON.parse(String(files.get("manifest.json"))) as Manifest;
    const population = parse(files.get("population.csv") ?? "", { columns: true, bom: true }) as unknown[];
    expect(manifest.rowCounts.population).toBe(population.length);
    expect(population.length).toBe(model.populationSize);
    // checks.csv: the population's gate_results cell in long format, one row per change and rule.
    const checks = parse(files.get("checks.csv") ?? "", { columns: true, bom: true }) as Record<string, string>[];
    const cells = (population as Record<string, string>[]).flatMap((r) =>
      (r.gate_results ?? "").split("; ").filter(Boolean).map((cell) => `${r.change_id} ${cell}`),
    );
    expect(checks.map((c) => `${c.change_id} ${c.rule_id}: ${c.result}`).sort()).toEqual(cells.sort());
    expect(checks[0]).toMatchObject({ rule_title: expect.any(String), gate: expect.stringMatching(/^(merge|deployment|production-apply|image)$/), controls: expect.stringMatching(/\d\.\d+ \w/) });
    expect(manifest.rowCounts.checks).toBe(checks.length);
    expect(manifest.ledgerHead).toEqual(await ledgerHead(handle.db));
    expect(manifest.signer.keyId).toBe(key.keyId);
    const ledgerLines = String(files.get("ledger-extract.jsonl")).trim().split("\n").map((l) => JSON.parse(l) as ExtractedEntry);
    for (const line of ledgerLines.slice(0, 50)) expect(checkExtractedEntry(line).ok, `entry ${line.seq} recomputes from the extract`).toBe(true);
    expect(ledgerLines.length).toBe(manifest.rowCounts.ledger);
    expect(ledgerLines.length).toBeGreaterThan(1000);
    for (let i = 1; i < ledgerLines.length; i++) expect(ledgerLines[i]?.prevHash).toBe(ledgerLines[i - 1]?.hash);
    const result = await verifyPackage(zip, key.publicKeyPem);
    expect(result.ok).toBe(true);
    expect(result.files.every((f) => f.status === "ok")).toBe(true);
  });

  it("names a changed, a missing and an added file", async () => {
    const files = await unzip(zip);
    files.set("population.csv", Buffer.concat([files.get("population.csv") ?? Buffer.alloc(0), Buffer.from("x,y\r\n")]));
    files.delete("waivers.csv");
    files.set("extra.txt", Buffer.from("planted"));
    const result = await verifyPackage(await rezip(files), key.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(result.signature.valid).toBe(true);
    const status = Object.fromEntries(result.files.map((f) => [f.path, f.status]));
    expect(status).toMatchObject({ "population.csv": "changed", "waivers.csv": "missing", "extra.txt": "added", "report.pdf": "ok" });
  });

  it("fails the signature when a file is changed and the manifest rewritten, even re-signed with another key", async () => {
    const files = await unzip(zip);
    const csv = Buffer.from(String(files.get("exceptions.csv")).replace(/\r\n$/, "\r\nforged,row\r\n"));
    files.set("exceptions.csv", csv);
    const manifest = JSON.parse(String(files.get("manifest.json"))) as Manifest;
    manifest.files = manifest.files.map((f) => (f.path === "exceptions.csv" ? { ...f, sha256: createHash("sha256").update(csv).digest("hex") } : f));
    const rewritten = Buffer.from(JSON.stringify(manifest, null, 2));
    files.set("manifest.json", rewritten);
    const bySameSig = await verifyPackage(await rezip(files), key.publicKeyPem);
    expect(bySameSig.ok).toBe(false);
    expect(bySameSig.signature.reason).toMatch(/signature does not match/);

    const forger = testSigningKey();
    const forged = { ...manifest, signer: { algorithm: "Ed25519" as const, keyId: forger.keyId, publicKeyPem: forger.publicKeyPem } };
    const forgedBytes = Buffer.from(JSON.stringify(forged));
    files.set("manifest.json", forgedBytes);
    files.set("manifest.sig", Buffer.from(JSON.stringify({ algorithm: "Ed25519", keyId: forger.keyId, signature: signBytes(forger, forgedBytes) })));
    // Its checkpoint is still signed by Custody's key, not the one the forged manifest names.
    expect((await verifyPackage(await rezip(files))).ledger?.problems.join()).toMatch(/checkpoint\.txt: no signature by the trusted key/);
    const note = String(files.get("checkpoint.txt"));
    const origin = note.slice(0, note.indexOf("\n"));
    const resigned = Buffer.from(signNote(note.slice(0, note.indexOf("\n\n") + 1), origin, forger.privateKey, createPublicKey(forger.privateKey)));
    files.set("checkpoint.txt", resigned);
    const thorough = { ...forged, files: forged.files.map((f) => (f.path === "checkpoint.txt" ? { ...f, sha256: createHash("sha256").update(resigned).digest("hex") } : f)) };
    const thoroughBytes = Buffer.from(JSON.stringify(thorough));
    files.set("manifest.json", thoroughBytes);
    files.set("manifest.sig", Buffer.from(JSON.stringify({ algorithm: "Ed25519", keyId: forger.keyId, signature: signBytes(forger, thoroughBytes) })));
    const forgedZip = await rezip(files);
    // Without a trusted key the forgery is internally consistent: only integrity, never origin.
    const integrityOnly = await verifyPackage(forgedZip);
    expect(integrityOnly.ok).toBe(true);
    expect(integrityOnly.signerTrusted).toBe(false);
    const withKey = await verifyPackage(forgedZip, key.publicKeyPem);
    expect(withKey.ok).toBe(false);
    expect(withKey.signature.reason).toContain(`expected ${key.keyId}`);
  });

  it("carries each sampled change's ledger entries with inclusion proofs against its signed checkpoint", async () => {
    const files = await unzip(zip);
    const manifest = JSON.parse(String(files.get("manifest.json"))) as Manifest;
    expect(manifest.checkpoint?.treeSize).toBe(manifest.ledgerHead.seq);
    const result = await verifyPackage(zip, key.publicKeyPem);
    expect(result.ledger).toMatchObject({ ok: true, problems: [] });
    expect(result.ledger?.changes).toBe(model.sample.changes.length);
    expect(result.ledger?.entries).toBeGreaterThanOrEqual(model.sample.changes.length);
    const lines = String(files.get("ledger-proofs.jsonl")).trim().split("\n").map((l) => JSON.parse(l) as LedgerProofLine);
    expect(new Set(lines.flatMap((l) => l.changeIds))).toEqual(new Set(model.sample.changeIds));
  });

  it("fails a package whose entry was changed, even with the manifest re-signed by Custody's key", async () => {
    const files = await unzip(zip);
    const lines = String(files.get("ledger-proofs.jsonl")).trim().split("\n").map((l) => JSON.parse(l) as LedgerProofLine);
    const victim = lines[0] as LedgerProofLine;
    victim.entry.reason = "forged reason";
    const forged = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    files.set("ledger-proofs.jsonl", forged);
    const manifest = JSON.parse(String(files.get("manifest.json"))) as Manifest;
    manifest.files = manifest.files.map((f) => (f.path === "ledger-proofs.jsonl" ? { ...f, sha256: createHash("sha256").update(forged).digest("hex") } : f));
    const bytes = Buffer.from(JSON.stringify(manifest));
    files.set("manifest.json", bytes);
    files.set("manifest.sig", Buffer.from(JSON.stringify({ algorithm: "Ed25519", keyId: key.keyId, signature: signBytes(key, bytes) })));
    const result = await verifyPackage(await rezip(files), key.publicKeyPem);
    expect(result.signature.valid).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.ledger?.problems).toContain(`ledger entry ${victim.entry.seq}: the entry's hash does not match its fields`);
  });

  it("--since: a later package proves the log only grew since an earlier one", async () => {
    const more = { events: [1, 2, 3].map((i) => ({ id: `since-${i}`, type: "attestation", occurredAt: "2026-11-20T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" })) };
    await ingestEvents(handle.db, more, JSON.stringify(more));
    const later = await buildReport(handle.db, p, new Date("2026-12-02T09:00:00Z"));
    const pkg = evidencePackage(handle.db, p, later, key);
    const next = await collect(pkg.stream);
    await pkg.done;
    expect(later.ledgerHead.seq).toBeGreaterThan(model.ledgerHead.seq);
    const result = await verifyPackage(next, key.publicKeyPem, { since: zip });
    expect(result.since).toMatchObject({ ok: true });
    expect(result.ok).toBe(true);
    const backwards = await verifyPackage(zip, key.publicKeyPem, { since: next });
    expect(backwards.since?.ok).toBe(false);
    expect(backwards.since?.message).toMatch(/larger than the new one's/);
  }, 120_000);

  it("accepts a signing key written on one line with \\n escapes", () => {
    const pem = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString().replace(/\n/g, "\\n");
    expect(parseSigningKey(pem).keyId).toBe(key.keyId);
  });
});
