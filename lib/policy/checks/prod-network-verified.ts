import type { Attestation } from "@/db/schema";
import { fail, pass, type Check } from "../outcome";
import { attestationRef } from "../refs";
import { observedBy, passed } from "../timeline";

const id = "prod.network-verified";

export const prodNetworkVerified: Check = (e) => {
  const d = e.deployment;
  // DNS, certificate and network checks are separate types; the latest of each must pass.
  const latestByType = new Map<string, Attestation>();
  for (const a of observedBy(e.attestations.network, d.deployedAt, e.now)) latestByType.set(a.type, a);
  const used = [...latestByType.values()];
  const evidence = { environment: d.environment, service: d.service, checks: used.map(attestationRef) };
  if (used.length === 0) return fail(id, `No DNS, certificate or network check was recorded for ${d.service} in ${d.environment} before the apply.`, evidence);
  const failed = used.filter((a) => !passed(a));
  if (failed.length > 0) return fail(id, `The latest ${failed.map((a) => a.type).join(", ")} before the apply failed.`, evidence);
  return pass(id, `${used.map((a) => a.type).join(", ")} passed before the apply.`, evidence);
};
