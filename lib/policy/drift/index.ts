import { configChanged, manualApply, mutableTag } from "./spec-rules";
import { notBuiltByCi, prodDiffersFromStaging, rollbackGap, unrecordedDigest } from "./recorded-rules";
import type { DriftOutcome, DriftPolicy, ObservedContainer, RecordedEvidence, WorkloadDriftRule } from "./types";

export { attributionOf, configChanger, workloadChanger, type Attribution } from "./actor";
export { rollbackService } from "./recorded-rules";
export { containerAccess, execIntoContainer, isPerson, type AuditRecord } from "./exec-rule";
export { isHumanManager, unexplainedHumanWrites } from "./spec-rules";
export type * from "./types";

/** The drift rules judged per observed container, in catalogue order. */
export const workloadDriftRules: readonly WorkloadDriftRule[] = [
  unrecordedDigest,
  notBuiltByCi,
  mutableTag,
  manualApply,
  configChanged,
  prodDiffersFromStaging,
  rollbackGap,
];

/** Every applicable drift outcome for one observed container. Pure. */
export function evaluateContainerDrift(o: ObservedContainer, r: RecordedEvidence, policy: DriftPolicy): DriftOutcome[] {
  const outcomes: DriftOutcome[] = [];
  for (const rule of workloadDriftRules) {
    const outcome = rule(o, r, policy);
    if (outcome !== null) outcomes.push(outcome);
  }
  return outcomes;
}
export {
  configChangedOnController,
  evaluateControllerDrift,
  manualApplyOnController,
  sameImage,
  unrecordedWorkload,
  type ConfigComparison,
  type ControllerRecord,
  type ObservedController,
} from "./controller-rules";
