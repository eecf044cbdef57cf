import { fail, missing, pass, type Check } from "../outcome";
import { attestationRef, deploymentRef } from "../refs";
import { observedBy, passed, sortedBy } from "../timeline";

const id = "prod.staging-verified";

export const prodStagingVerified: Check = (e, p) => {
  const d = e.deployment;
  const digest = d.digest;
  if (digest === null) return missing(id, `The image reference ${d.imageRef} was never resolved to a digest.`, { imageRef: d.imageRef });
  const staged = sortedBy(
    e.stagingDeployments.filter((s) => s.digest === digest && s.status === "success" && s.deployedAt < d.deployedAt),
    (s) => s.deployedAt,
  );
  const first = staged[0] ?? null;
  const verifications = e.attestations.stagingVerification.filter((a) => a.subject === digest);
  const before = first ? observedBy(verifications, d.deployedAt, e.now).filter((a) => a.observedAt >= first.deployedAt) : [];
  const last = before.at(-1) ?? null;
  const evidence = {
    digest,
    productionDeployedAt: d.deployedAt.toISOString(),
    stagingDeployment: first ? deploymentRef(first) : null,
    verification: last ? attestationRef(last) : null,
    stagingVerificationRequired: p.stagingVerificationRequired,
  };
  if (first === null) return fail(id, `${digest} was never successfully deployed to staging before production.`, evidence);
  if (!p.stagingVerificationRequired) {
    return pass(id, `${digest} ran in ${first.environment} from ${first.deployedAt.toISOString()} before production.`, evidence);
  }
  if (last === null) {
    const late = verifications.find((a) => a.observedAt > d.deployedAt && a.observedAt <= e.now);
    const reason = late
      ? `The staging verification of ${digest} (${late.externalId}) came after the production apply.`
      : `No staging verification of ${digest} was recorded before the production apply.`;
    return fail(id, reason, { ...evidence, lateVerification: late ? attestationRef(late) : null });
  }
  if (!passed(last)) return fail(id, `The staging verification of ${digest} (${last.externalId}) failed.`, evidence);
  return pass(id, `${digest} ran in ${first.environment} and passed verification ${last.externalId} before production.`, evidence);
};
