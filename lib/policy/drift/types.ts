import type { DriftRuleId } from "../catalogue";

export interface FieldManagerEntry {
  manager: string;
  operation: string;
  time?: string | null;
}

/** One container of one workload as a snapshot saw it. */
export interface ObservedContainer {
  environment: string;
  isProduction: boolean;
  namespace: string;
  kind: string;
  name: string;
  service: string | null;
  container: string;
  imageRef: string;
  /** Null while the image is still being pulled (no imageID in the pod status yet). */
  digest: string | null;
  configHash: string | null;
  managers: FieldManagerEntry[];
  lastAppliedBy: string | null;
  snapshot: { id: number; externalId: string; observedAt: Date };
}

export interface DeploymentRef {
  id: number;
  externalId: string;
  deployedAt: Date;
  imageRef: string;
  digest: string | null;
  actor: string | null;
}

export interface BuildRef {
  id: number;
  repository: string;
  service: string | null;
  builder: string | null;
  provenance: Record<string, unknown> | null;
  pipelineProvider: string | null;
  pipelineRunId: string | null;
  tags: string[];
  builtAt: Date;
}

/** What the records say about an observed container, gathered in one query per snapshot. */
export interface RecordedEvidence {
  /** The last successful deployment of this digest in this environment at or before the snapshot. */
  deployment: DeploymentRef | null;
  /** The last successful deployment of this workload's service in this environment at or before the snapshot. */
  lastDeployment: DeploymentRef | null;
  builds: BuildRef[];
  /** Where this digest ran in staging before the snapshot (production containers only). */
  staging: { source: "deployment" | "snapshot"; ref: string; at: Date } | null;
  /** The config hash in the first snapshot after `lastDeployment`. */
  configBaseline: { snapshotExternalId: string; observedAt: Date; configHash: string | null } | null;
  /** Other digests the same tagged reference resolved to in recent snapshots of any environment. */
  otherTagDigests: string[];
  /** Tagged builds retained for the service of the running build, counted up to the policy threshold; null when no build is known. */
  retainedImages: number | null;
}

export type DriftResult = "pass" | "fail" | "missing-evidence";

export interface DriftOutcome {
  ruleId: DriftRuleId;
  result: DriftResult;
  /** One sentence an auditor can read. */
  reason: string;
  evidence: Record<string, unknown>;
}

/** A drift rule over one container; null when the rule does not apply to it (e.g. staging for a dev cluster). */
export type WorkloadDriftRule = (observed: ObservedContainer, recorded: RecordedEvidence, policy: DriftPolicy) => DriftOutcome | null;

/** The policy settings drift rules read. */
export interface DriftPolicy {
  ciBuilderIdentities: readonly string[];
  mutableTags: readonly string[];
  retainedImages: number;
  /** Recorded on the findings the rules open. */
  version?: string;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function deploymentEvidence(d: DeploymentRef | null): Record<string, unknown> | null {
  return d ? { id: d.id, externalId: d.externalId, deployedAt: iso(d.deployedAt), imageRef: d.imageRef, digest: d.digest, actor: d.actor } : null;
}

export function observedEvidence(o: ObservedContainer): Record<string, unknown> {
  return {
    workload: { namespace: o.namespace, kind: o.kind, name: o.name, container: o.container, service: o.service },
    imageRef: o.imageRef,
    observedDigest: o.digest,
    snapshot: { id: o.snapshot.id, externalId: o.snapshot.externalId, observedAt: iso(o.snapshot.observedAt) },
  };
}

/**
 * An outcome whose evidence (and, when given as a function, reason) is built on first read, then
 * kept. A snapshot of 10,000 containers judges ~70,000 outcomes and stores only the failures':
 * building evidence and sentences for every pass was most of the rules' time and garbage. The
 * getters live on the class, not on each outcome (an object literal's getters are new closures
 * every time).
 */
class LazyOutcome implements DriftOutcome {
  #reason: string | (() => string);
  #evidence: Record<string, unknown> | (() => Record<string, unknown>);
  constructor(
    readonly ruleId: DriftOutcome["ruleId"],
    readonly result: DriftOutcome["result"],
    reason: string | (() => string),
    evidence: () => Record<string, unknown>,
  ) {
    this.#reason = reason;
    this.#evidence = evidence;
  }
  get reason(): string {
    if (typeof this.#reason === "function") this.#reason = this.#reason();
    return this.#reason;
  }
  get evidence(): Record<string, unknown> {
    if (typeof this.#evidence === "function") this.#evidence = this.#evidence();
    return this.#evidence;
  }
}

export function lazyOutcome(
  ruleId: DriftOutcome["ruleId"],
  result: DriftOutcome["result"],
  reason: string | (() => string),
  evidence: () => Record<string, unknown>,
): DriftOutcome {
  return new LazyOutcome(ruleId, result, reason, evidence);
}
