import { fail, pass, type Check } from "../outcome";
import { attestationRef } from "../refs";
import { hoursBetween, observedBy, passed } from "../timeline";

const id = "prod.backup-verified";

/** Freshness is judged at apply time, so re-evaluating an old deployment gives the same answer. */
export const prodBackupVerified: Check = (e, p) => {
  const d = e.deployment;
  const last = observedBy(e.attestations.backup, d.deployedAt, e.now).at(-1) ?? null;
  const ageHours = last ? Math.round(hoursBetween(last.observedAt, d.deployedAt) * 10) / 10 : null;
  const evidence = { backupVerification: last ? attestationRef(last) : null, ageHours, freshnessHours: p.attestationFreshnessHours };
  if (last === null) return fail(id, `No backup verification was recorded for ${d.service} in ${d.environment} before the apply.`, evidence);
  if (!passed(last)) return fail(id, `The latest backup verification before the apply (${last.externalId}) failed.`, evidence);
  if (ageHours !== null && ageHours > p.attestationFreshnessHours) {
    return fail(id, `The latest backup verification (${last.externalId}) was ${ageHours} h old at the apply; policy allows ${p.attestationFreshnessHours} h.`, evidence);
  }
  return pass(id, `Backup verification ${last.externalId} passed ${ageHours ?? 0} h before the apply.`, evidence);
};
