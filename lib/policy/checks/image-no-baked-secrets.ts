import { fail, pass, type Check } from "../outcome";
import { attestationRef } from "../refs";
import { observedBy, passed } from "../timeline";

const id = "image.no-baked-secrets";

export const imageNoBakedSecrets: Check = (e) => {
  const b = e.build;
  const attestation = observedBy(e.attestations.secretScan, e.deployment.deployedAt, e.now).at(-1) ?? null;
  const evidence = {
    buildId: b?.id ?? null,
    digest: e.deployment.digest,
    secretScan: b?.secretScan ?? null,
    secretScanAttestation: attestation ? attestationRef(attestation) : null,
  };
  const result = b?.secretScan?.passed ?? (attestation ? passed(attestation) : null);
  if (result === null) return fail(id, `No secret scan of ${e.deployment.digest ?? "the image"} was recorded.`, evidence);
  if (!result) return fail(id, "The secret scan found secrets baked into the image.", evidence);
  const scanner = b?.secretScan?.scanner ?? attestation?.externalId ?? "a secret scanner";
  return pass(id, `Secret scan by ${scanner} passed.`, evidence);
};
