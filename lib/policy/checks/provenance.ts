import { judgeProvenance, provenanceEvidence, type ProvenanceJudgement } from "../../provenance/judge";
import type { DeploymentEvidence } from "../evidence";
import { provenanceModeFor, type Policy, type ProvenanceMode } from "../settings";

/** The provenance of the deployed digest as the policy sees it, for the checks that use it. */
export interface ProvenanceView {
  mode: ProvenanceMode;
  judgement: ProvenanceJudgement;
  /** Verified, about this digest, and signed by an expected signer. */
  trusted: boolean;
  evidence: Record<string, unknown>;
  /** "not verified: untrusted CA", "signed by … (expected …)", "no provenance was sent": why it is not trusted. */
  problem: string | null;
}

export function provenanceView(e: DeploymentEvidence, p: Policy): ProvenanceView {
  const mode = provenanceModeFor(p, e.deployment.environment);
  const judgement = judgeProvenance(e.provenance ?? [], e.deployment.service, p);
  const trusted = judgement.state === "verified" && judgement.signerMatch?.matched !== null && judgement.signerMatch !== null;
  let problem: string | null = null;
  if (judgement.state === "absent") problem = `no Sigstore provenance was sent for ${e.deployment.digest ?? e.deployment.imageRef}`;
  else if (judgement.state === "not-verified") problem = `its provenance is not verified: ${judgement.reason ?? "unknown"}`;
  else if (!trusted) {
    const who = judgement.signer?.subjectAlternativeName ?? "an unnamed signer";
    problem = `its provenance was signed by ${who}, not by a signer the policy expects (${(judgement.signerMatch?.mismatches ?? []).join("; ")})`;
  }
  return { mode, judgement, trusted, evidence: { provenanceMode: mode, ...provenanceEvidence(judgement) }, problem };
}

/** `who@ref in owner/repo` for reasons. */
export function signerLabel(v: ProvenanceView): string {
  const s = v.judgement.signer;
  if (!s) return "an unknown signer";
  const workflow = s.workflowPath && s.workflowRef ? `${s.workflowPath}@${s.workflowRef}` : (s.subjectAlternativeName ?? "?");
  return `${workflow} in ${s.repository ?? "?"}`;
}
