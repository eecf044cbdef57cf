import type { Queryable } from "@/db/client";
import { activePolicy } from "../policy/active";
import { provenanceModeFor, type Policy, type ProvenanceMode } from "../policy/settings";
import { judgeProvenance } from "./judge";
import { provenanceOfDigests } from "./store";
import type { LogEntry } from "./verify";

/** The provenance of a deployed image as the deployment page and `GET /api/v1/deployments/{id}` show it. */
export interface DeploymentProvenance {
  digest: string | null;
  /** What the policy asks of provenance in this environment. */
  mode: ProvenanceMode;
  state: "verified" | "not-verified" | "absent";
  /** `verified`, `not verified: untrusted CA`, `no provenance`. */
  status: string;
  /** Whether the bundle's signature and certificate verified (its subject may still be another artifact). */
  signatureVerified: boolean;
  /** Whether the signer is one the policy expects (null when there is no verified certificate to judge). */
  signerMatches: boolean | null;
  signerMismatches: string[];
  signer: {
    identity: string | null;
    issuer: string | null;
    workflowPath: string | null;
    workflowRef: string | null;
    repository: string | null;
    sourceCommit: string | null;
    sourceRef: string | null;
    runUrl: string | null;
    runnerEnvironment: string | null;
    /** The certificate's issuing CA, useful when it is not trusted. */
    issuerName: string | null;
  } | null;
  logEntry: LogEntry | null;
  predicateType: string | null;
  builderId: string | null;
  bundleSha256: string | null;
  /** Bundles linked to the digest (the strongest is shown). */
  bundles: number;
  /** Why not verified, in the library's words (e.g. `tlog entry signature mismatch`). */
  detail: string | null;
}

export async function deploymentProvenance(
  db: Queryable,
  d: { digest: string | null; service: string; environment: string },
  policy: Policy = activePolicy(),
): Promise<DeploymentProvenance> {
  const links = d.digest ? ((await provenanceOfDigests(db, [d.digest])).get(d.digest) ?? []) : [];
  const j = judgeProvenance(links, d.service, policy);
  const v = j.best?.verification ?? null;
  const s = j.signer;
  return {
    digest: d.digest,
    mode: provenanceModeFor(policy, d.environment),
    state: j.state,
    status: j.state === "verified" ? "verified" : j.state === "absent" ? "no provenance" : `not verified: ${j.reason ?? "unknown"}`,
    signatureVerified: v?.status === "verified",
    signerMatches: j.signerMatch && v?.status === "verified" ? j.signerMatch.matched !== null : null,
    signerMismatches: j.signerMatch?.mismatches ?? [],
    signer: s
      ? {
          identity: s.subjectAlternativeName,
          issuer: s.issuer,
          workflowPath: s.workflowPath,
          workflowRef: s.workflowRef,
          repository: s.repository,
          sourceCommit: s.sourceCommit ?? v?.predicateCommit ?? null,
          sourceRef: s.sourceRef,
          runUrl: s.runUrl,
          runnerEnvironment: s.runnerEnvironment,
          issuerName: s.issuerName,
        }
      : null,
    logEntry: v?.logEntry ?? null,
    predicateType: v?.predicateType ?? null,
    builderId: v?.builderId ?? null,
    bundleSha256: v?.bundleSha256 ?? null,
    bundles: j.bundles,
    detail: v?.detail ?? null,
  };
}
