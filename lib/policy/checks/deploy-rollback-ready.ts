import { fail, missing, pass, type Check } from "../outcome";
import { attestationRef } from "../refs";
import { observedBy, passed } from "../timeline";

const id = "deploy.rollback-ready";

export const deployRollbackReady: Check = (e, p) => {
  const tests = observedBy(e.attestations.rollback, e.deployment.deployedAt, e.now);
  const last = tests.at(-1) ?? null;
  const evidence = {
    rollbackTest: last ? attestationRef(last) : null,
    retainedImages: e.retainedImages,
    requiredRetainedImages: p.retainedImages,
  };
  if (last === null) return fail(id, `No rollback test of ${e.deployment.service} was recorded before the deployment.`, evidence);
  if (!passed(last)) return fail(id, `The last rollback test of ${e.deployment.service} before the deployment failed.`, evidence);
  if (e.retainedImages === null) return missing(id, `The number of retained images of ${e.deployment.service} is unknown.`, evidence);
  if (e.retainedImages < p.retainedImages) {
    return fail(id, `Only ${e.retainedImages} tagged image(s) of ${e.deployment.service} are retained; policy requires ${p.retainedImages}.`, evidence);
  }
  return pass(id, `Rollback tested (${last.externalId}) and ${e.retainedImages} tagged images retained.`, evidence);
};
