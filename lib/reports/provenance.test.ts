import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provenanceVerifications } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { defaultPolicy } from "../policy/settings";
import { bundleSha256, parseBundles } from "../provenance/bundle";
import { ingestSigstoreBundles } from "../provenance/ingest";
import { clearVerificationMemo } from "../provenance/store";
import { parseReportParams } from "./params";
import { renderReportPdf } from "./pdf";
import { provenanceSummary } from "./provenance";
import { buildReport } from "./report";

// Real bundles from the GitHub CLI's test data (MIT): lib/provenance/fixtures/README.md.
const fixture = (name: string) => readFileSync(new URL(`../provenance/fixtures/${name}`, import.meta.url), "utf8");
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
const p = parseReportParams("soc2", { from: "2026-03-14", to: "2026-03-15", format: "json", sample: "0", seed: "provenance" });
const proven = change({ key: "proven" });
const bare = change({ key: "bare" });
const tampered = change({ key: "tampered" });

beforeAll(async () => {
  handle = await createTestDatabase();
  for (const c of [proven, bare, tampered]) {
    const body = { events: c.events };
    await ingestEvents(handle.db, body, JSON.stringify(body));
  }
  const sigstoreJs = fixture("sigstore-js-2.1.0-bundle.json");
  await ingestSigstoreBundles(handle.db, sigstoreJs, { digest: proven.digest, maxBundleBytes: 1 << 20 });
  await ingestSigstoreBundles(handle.db, fixture("sigstoreBundle-invalid-signature.json"), { digest: tampered.digest, maxBundleBytes: 1 << 20 });
  await evaluationSettled(handle.db);
  // The fixtures attest npm and wheel artifacts, not images: the evaluator's real verdict of the
  // sigstore-js bundle (verified, GitHub Actions signer) is re-aimed at the image digest, so the
  // report has one production deployment with verified provenance to count.
  const sha = bundleSha256(parseBundles(sigstoreJs, 1 << 20)[0]?.json);
  const [row] = await handle.db.select().from(provenanceVerifications).where(eq(provenanceVerifications.bundleSha256, sha));
  expect(row?.status).toBe("verified");
  const result = { ...row?.result, subjects: [{ name: "ghcr.io/acme/checkout", digests: [proven.digest] }] };
  await handle.db.update(provenanceVerifications).set({ result }).where(eq(provenanceVerifications.bundleSha256, sha));
  clearVerificationMemo();
}, 120_000);
afterAll(async () => handle?.close());

describe("the report's build provenance section", () => {
  it("gives the share of production deployments with verified provenance and lists the others with why", async () => {
    const s = await provenanceSummary(handle.db, p, defaultPolicy);
    expect(s.controls).toEqual(["CC8.1 Authorised, tested and approved changes", "CC7.1 Detecting configuration changes and weaknesses"]);
    expect(s).toMatchObject({ deployments: 3, verified: 1 });
    expect(s.share).toBeCloseTo(1 / 3);
    const why = Object.fromEntries(s.exceptions.shown.map((e) => [e.changeId, e.status]));
    expect(why).toEqual({ [bare.prodDeploymentId]: "no provenance", [tampered.prodDeploymentId]: "not verified: signature mismatch" });
  });

  it("appears in the PDF with the ISO 27001 controls it supports", async () => {
    const iso = parseReportParams("iso27001", { from: "2026-03-14", to: "2026-03-15", format: "pdf", sample: "0", seed: "provenance" });
    const model = await buildReport(handle.db, iso);
    expect(model.provenance.controls).toEqual(["8.32 Change management", "8.28 Secure coding", "5.21 ICT supply chain security"]);
    const dir = mkdtempSync(path.join(os.tmpdir(), "custody-provenance-pdf-"));
    const file = path.join(dir, "r.pdf");
    writeFileSync(file, await renderReportPdf(model));
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).toContain("Build provenance");
    expect(text).toContain("33.3 % (1 of 3)");
    expect(text).toContain("signature mismatch");
  });
});
