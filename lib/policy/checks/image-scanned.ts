import type { ScanResult } from "@/db/schema";
import { severities, type Severity } from "../rule-types";
import { fail, pass, type Check } from "../outcome";
import { attestationRef, iso } from "../refs";
import { observedBy, passed } from "../timeline";

const id = "image.scanned";

/**
 * Counts are taken as the scanner reports them, after its own ignore list; a waiver on the
 * resulting finding is applied where findings are stored, not here.
 */
export const imageScanned: Check = (e, p) => {
  const b = e.build;
  const blocking = severities.slice(0, severities.indexOf(p.blockingScanSeverity) + 1);
  const attestation = observedBy(e.attestations.vulnerabilityScan, e.deployment.deployedAt, e.now).at(-1) ?? null;
  const usedAttestation = b?.scan ? null : attestation;
  const scan: ScanResult | null = b?.scan ?? (usedAttestation ? scanFromDetails(usedAttestation.details) : null);
  const evidence = {
    buildId: b?.id ?? null,
    digest: e.deployment.digest,
    builtAt: iso(b?.builtAt),
    scan: b?.scan ?? null,
    scanAttestation: usedAttestation ? attestationRef(usedAttestation) : null,
    blockingSeverities: blocking,
  };
  if (scan === null && usedAttestation === null) return fail(id, `No vulnerability scan of ${e.deployment.digest ?? "the image"} was recorded.`, evidence);
  if (usedAttestation !== null && !passed(usedAttestation)) {
    return fail(id, `The vulnerability scan ${usedAttestation.externalId} failed.`, evidence);
  }
  if (scan?.scannedAt && b && new Date(scan.scannedAt) > b.builtAt) {
    return fail(id, `The image was scanned at ${scan.scannedAt}, after it was built and pushed at ${b.builtAt.toISOString()}.`, evidence);
  }
  const found = blocking.filter((s) => (scan?.counts[s] ?? 0) > 0).map((s) => `${scan?.counts[s] ?? 0} ${s}`);
  if (found.length > 0) return fail(id, `The scan found ${found.join(", ")} vulnerabilities (blocking at ${p.blockingScanSeverity} and above).`, evidence);
  if (scan?.passed === false) return fail(id, "The scanner reported the scan as failed.", evidence);
  const scanner = scan?.scanner ?? usedAttestation?.externalId ?? "the scanner";
  return pass(id, `Scanned by ${scanner}: nothing at ${p.blockingScanSeverity} or above.`, evidence);
};

function scanFromDetails(details: Record<string, unknown> | null): ScanResult | null {
  const counts = details?.counts;
  if (counts === null || typeof counts !== "object") return null;
  const out: Partial<Record<Severity, number>> = {};
  for (const s of severities) {
    const n = (counts as Record<string, unknown>)[s];
    if (typeof n === "number") out[s] = n;
  }
  const scanner = typeof details?.scanner === "string" ? details.scanner : undefined;
  return { counts: out, scanner };
}
