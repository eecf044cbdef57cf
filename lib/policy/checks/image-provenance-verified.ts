import { fail, missing, pass, type Check } from "../outcome";
import { provenanceView, signerLabel } from "./provenance";

const id = "image.provenance-verified";

/**
 * Required: the digest needs provenance that verifies and names an expected signer. Advisory: the
 * rule judges only digests some bundle was sent for (evaluate.ts), and that bundle must verify and
 * come from an expected signer. Off: the rule is not applied.
 */
export const imageProvenanceVerified: Check = (e, p) => {
  const v = provenanceView(e, p);
  const digest = e.deployment.digest ?? e.deployment.imageRef;
  if (v.trusted) {
    const log = v.judgement.best?.verification.logEntry;
    return pass(id, `Provenance for ${digest} verifies: signed by ${signerLabel(v)}${log ? `, Rekor entry ${log.logIndex}` : ""}.`, v.evidence);
  }
  if (v.judgement.state === "absent") {
    if (v.mode === "required") return fail(id, `Provenance is required in ${e.deployment.environment}, and ${v.problem ?? ""}.`, v.evidence);
    return missing(id, `Advisory: ${v.problem ?? ""}.`, v.evidence);
  }
  return fail(id, `${digest}: ${v.problem ?? "provenance not trusted"}.`, v.evidence);
};
