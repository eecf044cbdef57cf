import { commitShaOfTag, isDigest, parseImageRef } from "../image-ref";
import { deploymentEvidence, iso, observedEvidence, lazyOutcome as outcome, type FieldManagerEntry, type WorkloadDriftRule } from "./types";

/** The running spec must pin a digest or a commit-SHA tag that has only ever resolved to one digest. */
export const mutableTag: WorkloadDriftRule = (o, r, p) => {
  const id = "drift.mutable-tag";
  const ref = parseImageRef(o.imageRef);
  const evidence = () => ({ ...observedEvidence(o), tag: ref.tag, otherDigests: r.otherTagDigests });
  const at = `${o.kind} ${o.namespace}/${o.name} in ${o.environment}`;
  if (isDigest(ref.digest)) return outcome(id, "pass", () => `${o.imageRef} is pinned by digest.`, evidence);
  if (ref.tag === null) return outcome(id, "fail", `${at} runs ${o.imageRef}, which has no tag or digest and so means \`latest\`.`, evidence);
  if (p.mutableTags.includes(ref.tag)) return outcome(id, "fail", `${at} runs ${o.imageRef}, the mutable tag "${ref.tag}".`, evidence);
  if (commitShaOfTag(ref.tag) === null) {
    return outcome(id, "fail", `${at} runs ${o.imageRef}; "${ref.tag}" is not a commit SHA and can be moved.`, evidence);
  }
  if (r.otherTagDigests.length > 0) {
    return outcome(id, "fail", `${o.imageRef} resolved to ${[o.digest, ...r.otherTagDigests].filter(Boolean).join(" and ")} in different snapshots: the tag was moved.`, evidence);
  }
  return outcome(id, "pass", () => `${o.imageRef} uses the commit-SHA tag "${ref.tag}".`, evidence);
};

/**
 * Field managers a person's kubectl leaves behind: `kubectl-edit`, `kubectl-patch`, `kubectl-set`,
 * `kubectl-client-side-apply`, `kubectl-replace`, `kubectl-rollout`, and `kubectl` itself (server-side
 * apply, operation Apply, or older clients' updates). A pipeline running kubectl writes them too,
 * but within minutes of its recorded deployment (PIPELINE_TOLERANCE_MS), which explains them.
 */
const HUMAN_MANAGER = /^kubectl(-|$)/;
// A pipeline running `kubectl apply` stamps the workload within minutes of its recorded deployment.
const PIPELINE_TOLERANCE_MS = 15 * 60 * 1000;

export function isHumanManager(m: FieldManagerEntry): boolean {
  return HUMAN_MANAGER.test(m.manager);
}

/** Human-tool writes that no recorded deployment accounts for: later than the last deployment, or of unknown time. */
export function unexplainedHumanWrites<T extends FieldManagerEntry>(managers: readonly T[], lastDeployedAt: Date | null): T[] {
  return managers.filter((m) => {
    if (!isHumanManager(m)) return false;
    if (!m.time || lastDeployedAt === null) return true;
    return Date.parse(m.time) > lastDeployedAt.getTime() + PIPELINE_TOLERANCE_MS;
  });
}

export const manualApply: WorkloadDriftRule = (o, r) => {
  const id = "drift.manual-apply";
  const lastDeployedAt = r.lastDeployment?.deployedAt ?? null;
  const writes = unexplainedHumanWrites(o.managers, lastDeployedAt);
  // The last-applied annotation alone has no time; it counts only when no timed entry explains it.
  const annotationOnly = o.lastAppliedBy !== null && !o.managers.some((m) => m.manager === o.lastAppliedBy);
  const evidence = () => ({
    ...observedEvidence(o),
    managers: writes.map((m) => ({ manager: m.manager, operation: m.operation, time: m.time ?? null })),
    lastAppliedBy: o.lastAppliedBy,
    lastDeployment: deploymentEvidence(r.lastDeployment),
  });
  const at = `${o.kind} ${o.namespace}/${o.name} in ${o.environment}`;
  if (writes.length > 0) {
    const names = writes.map((m) => `${m.manager} (${m.operation}${m.time ? ` at ${m.time}` : ""})`).join(", ");
    const since = lastDeployedAt ? ` after its last recorded deployment at ${iso(lastDeployedAt)}` : ", which has no recorded deployment";
    return outcome(id, "fail", `${at} was changed by ${names}${since}.`, evidence);
  }
  if (annotationOnly) return outcome(id, "fail", `${at} carries kubectl's last-applied-configuration: it was applied by hand.`, evidence);
  return outcome(id, "pass", () => `${at} was last changed by the pipeline's tools.`, evidence);
};

/** The running config hash must equal the one first observed after the workload's last deployment. */
export const configChanged: WorkloadDriftRule = (o, r) => {
  const id = "drift.config-changed";
  const base = r.configBaseline;
  const evidence = () => ({
    ...observedEvidence(o),
    observedConfigHash: o.configHash,
    recordedConfigHash: base?.configHash ?? null,
    baselineSnapshot: base ? { externalId: base.snapshotExternalId, observedAt: iso(base.observedAt) } : null,
    lastDeployment: deploymentEvidence(r.lastDeployment),
  });
  if (o.configHash === null) return null;
  if (base === null || base.configHash === null) {
    return outcome(id, "missing-evidence", `No snapshot after the last deployment of ${o.name} in ${o.environment} shows its configuration.`, evidence);
  }
  if (base.configHash === o.configHash) return outcome(id, "pass", () => `The configuration of ${o.name} is the one deployed.`, evidence);
  return outcome(
    id,
    "fail",
    `The configuration of ${o.kind} ${o.namespace}/${o.name} in ${o.environment} changed from ${base.configHash} to ${o.configHash} with no deployment in between.`,
    evidence,
  );
};
