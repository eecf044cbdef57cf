import type { Queryable } from "@/db/client";
import type { DeploymentEvidence } from "../policy/evidence";
import { provenanceOfDigests } from "./store";

/** Adds the linked, verified provenance of each deployment's digest to its evidence (one query for all). */
export async function attachProvenance(db: Queryable, evidence: Map<number, DeploymentEvidence>, now = new Date()): Promise<void> {
  const digests = [...evidence.values()].map((e) => e.deployment.digest).filter((d): d is string => d !== null);
  const byDigest = await provenanceOfDigests(db, digests, undefined, now);
  for (const e of evidence.values()) e.provenance = e.deployment.digest ? (byDigest.get(e.deployment.digest) ?? []) : [];
}
