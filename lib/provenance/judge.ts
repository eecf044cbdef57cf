import { matchingIdentity } from "../policy/builder-identity";
import type { ExpectedSigner, Policy } from "../policy/settings";
import type { SignerIdentity } from "./certificate";
import { notVerifiedReasons, type BundleVerification } from "./verify";

/** A bundle linked to a deployed digest, with its (cached) verification. */
export interface LinkedProvenance {
  bundleId: number;
  digest: string;
  receivedAt: Date;
  verification: BundleVerification;
}

export interface SignerMatch {
  /** The policy rule the signer satisfied, or null. */
  matched: ExpectedSigner | null;
  /** For the closest rule: each field that differs, `field: got X, expected Y`. */
  mismatches: string[];
  /** The rules that applied to the service. */
  expected: ExpectedSigner[];
}

/** What the checks and pages need about the provenance of one deployed digest. */
export interface ProvenanceJudgement {
  /** `verified`: signature, chain, log entry and subject all hold; `absent`: no bundle for the digest. */
  state: "verified" | "not-verified" | "absent";
  /** `not verified: <why>` words, null when verified or absent. */
  reason: string | null;
  best: LinkedProvenance | null;
  signer: SignerIdentity | null;
  signerMatch: SignerMatch | null;
  /** How many bundles are linked to the digest. */
  bundles: number;
}

/** The rules that apply to a service: its own, else the ones without a service. */
export function expectedSignersFor(service: string, policy: Pick<Policy, "provenanceSigners">): ExpectedSigner[] {
  const own = policy.provenanceSigners.filter((s) => s.service !== undefined && s.service.toLowerCase() === service.toLowerCase());
  return own.length > 0 ? own : policy.provenanceSigners.filter((s) => s.service === undefined);
}

function mismatchesOf(signer: SignerIdentity, rule: ExpectedSigner): string[] {
  const out: string[] = [];
  const compare = (field: string, actual: string | null, pattern: string | undefined) => {
    if (pattern === undefined) return;
    if (actual === null || matchingIdentity(actual, [pattern]) === null) out.push(`${field}: ${actual ?? "(none)"}, expected ${pattern}`);
  };
  compare("issuer", signer.issuer, rule.issuer);
  compare("repository", signer.repository, rule.repository);
  compare("workflow", signer.workflowPath, rule.workflow);
  compare("ref", signer.workflowRef ?? signer.sourceRef, rule.ref);
  compare("runnerEnvironment", signer.runnerEnvironment, rule.runnerEnvironment);
  return out;
}

export function matchSigner(signer: SignerIdentity, expected: ExpectedSigner[]): SignerMatch {
  let closest: string[] | null = null;
  for (const rule of expected) {
    const mismatches = mismatchesOf(signer, rule);
    if (mismatches.length === 0) return { matched: rule, mismatches: [], expected };
    if (closest === null || mismatches.length < closest.length) closest = mismatches;
  }
  return { matched: null, mismatches: closest ?? ["no expected signer is configured for this service"], expected };
}

const rank = (l: LinkedProvenance, match: (l: LinkedProvenance) => boolean): number => {
  const v = l.verification;
  const subject = v.subjects.some((s) => s.digests.includes(l.digest));
  if (v.status === "verified" && subject) return match(l) ? 3 : 2;
  return v.status === "verified" ? 1 : 0;
};

/**
 * Picks the strongest bundle for the digest (verified, about this digest, from an expected signer;
 * the latest among equals) and says what it proves. The library decided the signature; this adds
 * the subject comparison and the policy's signer.
 */
export function judgeProvenance(links: readonly LinkedProvenance[], service: string, policy: Pick<Policy, "provenanceSigners">): ProvenanceJudgement {
  if (links.length === 0) return { state: "absent", reason: null, best: null, signer: null, signerMatch: null, bundles: 0 };
  const expected = expectedSignersFor(service, policy);
  const matches = (l: LinkedProvenance) => l.verification.signer !== null && matchSigner(l.verification.signer, expected).matched !== null;
  const best = [...links].sort((a, b) => rank(b, matches) - rank(a, matches) || b.receivedAt.getTime() - a.receivedAt.getTime())[0] ?? null;
  if (best === null) return { state: "absent", reason: null, best: null, signer: null, signerMatch: null, bundles: 0 };
  const v = best.verification;
  const signerMatch = v.signer ? matchSigner(v.signer, expected) : null;
  const subject = v.subjects.some((s) => s.digests.includes(best.digest));
  const reason = v.status !== "verified" ? (v.reason ?? notVerifiedReasons.malformed) : subject ? null : notVerifiedReasons.subjectMismatch;
  return { state: reason === null ? "verified" : "not-verified", reason, best, signer: v.signer, signerMatch, bundles: links.length };
}

/** The evidence a check records: the verified facts, the certificate identity and the log entry. */
export function provenanceEvidence(j: ProvenanceJudgement): Record<string, unknown> {
  if (j.best === null) return { provenance: null };
  const v = j.best.verification;
  return {
    provenance: {
      state: j.state,
      reason: j.reason,
      bundleSha256: v.bundleSha256,
      digest: j.best.digest,
      predicateType: v.predicateType,
      subjects: v.subjects,
      builderId: v.builderId,
      sourceCommit: v.signer?.sourceCommit ?? v.predicateCommit,
      certificate: v.signer
        ? {
            subjectAlternativeName: v.signer.subjectAlternativeName,
            issuer: v.signer.issuer,
            repository: v.signer.repository,
            workflowPath: v.signer.workflowPath,
            workflowRef: v.signer.workflowRef,
            runnerEnvironment: v.signer.runnerEnvironment,
            runUrl: v.signer.runUrl,
            issuerName: v.signer.issuerName,
          }
        : null,
      logEntry: v.logEntry,
      signedAt: v.signedAt,
      errorCode: v.errorCode,
      signerMatch: j.signerMatch ? { matched: j.signerMatch.matched, mismatches: j.signerMatch.mismatches } : null,
      trustFingerprint: v.trustFingerprint,
    },
  };
}
