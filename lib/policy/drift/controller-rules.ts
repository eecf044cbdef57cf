import { parseImageRef } from "../image-ref";
import { unexplainedHumanWrites } from "./spec-rules";
import { deploymentEvidence, iso, lazyOutcome as outcome, type DeploymentRef, type DriftOutcome, type FieldManagerEntry } from "./types";

/** A controller (Deployment, StatefulSet, DaemonSet, CronJob, Job) as a snapshot saw it. */
export interface ObservedController {
  environment: string;
  namespace: string;
  kind: string;
  name: string;
  service: string;
  images: Record<string, string>;
  configRefs: { kind: "ConfigMap" | "Secret"; name: string }[];
  managers: (FieldManagerEntry & { subresource?: string })[];
  lastAppliedImages: Record<string, string> | null;
  snapshot: { id: number; externalId: string; observedAt: Date };
}

/** One ConfigMap or Secret the controller reads: its hash now and at its last pipeline deployment. */
export interface ConfigComparison {
  kind: "ConfigMap" | "Secret";
  name: string;
  observedHash: string | null;
  deployedHash: string | null;
  baseline: { snapshotExternalId: string; observedAt: Date } | null;
}

export interface ControllerRecord {
  /** The service's last successful deployment in the environment at or before the snapshot. */
  lastDeployment: DeploymentRef | null;
  /** Null when the snapshot carried no ConfigMaps or Secrets (nothing to compare). */
  configs: ConfigComparison[] | null;
  /** Whether the namespace is one Custody judges (not the control plane's, not configured `off`). */
  enforcedNamespace: boolean;
}

export type ControllerDriftRule = (c: ObservedController, r: ControllerRecord) => DriftOutcome | null;

const at = (c: ObservedController) => `${c.kind} ${c.namespace}/${c.name} in ${c.environment}`;

export function controllerEvidence(c: ObservedController): Record<string, unknown> {
  return {
    controller: { namespace: c.namespace, kind: c.kind, name: c.name, service: c.service },
    images: c.images,
    snapshot: { id: c.snapshot.id, externalId: c.snapshot.externalId, observedAt: iso(c.snapshot.observedAt) },
  };
}

/** Two references name the same image: same repository and the same digest, or the same tag. */
export function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  if (x.repository !== y.repository) return false;
  if (x.digest && y.digest) return x.digest === y.digest;
  return x.tag !== null && x.tag === y.tag;
}

/**
 * `drift.manual-apply` on a controller: a person's kubectl wrote it after its last deployment
 * (managedFields, status writes aside), or its last-applied-configuration names images the
 * pipeline did not deploy.
 */
export const manualApplyOnController: ControllerDriftRule = (c, r) => {
  const id = "drift.manual-apply";
  const last = r.lastDeployment;
  const writes = unexplainedHumanWrites(c.managers.filter((m) => m.subresource !== "status"), last?.deployedAt ?? null);
  const applied = c.lastAppliedImages ? Object.values(c.lastAppliedImages) : [];
  const deployedImage = last ? (last.digest && !last.imageRef.includes("@") ? `${last.imageRef}@${last.digest}` : last.imageRef) : null;
  const appliedDiffers = last !== null && applied.length > 0 && !applied.some((i) => sameImage(i, last.imageRef) || (deployedImage !== null && sameImage(i, deployedImage)));
  const evidence = () => ({
    ...controllerEvidence(c),
    managers: writes.map((m) => ({ manager: m.manager, operation: m.operation, time: m.time ?? null, subresource: m.subresource ?? null })),
    lastAppliedImages: c.lastAppliedImages,
    lastDeployment: deploymentEvidence(last),
  });
  if (writes.length > 0) {
    const names = writes.map((m) => `${m.manager} (${m.operation}${m.time ? ` at ${m.time}` : ""})`).join(", ");
    const since = last ? ` after its last recorded deployment at ${iso(last.deployedAt)}` : ", which has no recorded deployment";
    return outcome(id, "fail", `${at(c)} was changed by ${names}${since}.`, evidence);
  }
  if (appliedDiffers && last) {
    return outcome(id, "fail", `${at(c)} was last applied with ${applied.join(", ")} (kubectl's last-applied-configuration); the pipeline deployed ${last.imageRef}.`, evidence);
  }
  return outcome(id, "pass", () => `${at(c)} was last written by the pipeline's tools.`, evidence);
};

/** `drift.config-changed` on a controller: a ConfigMap or Secret it reads now hashes differently from its last deployment. */
export const configChangedOnController: ControllerDriftRule = (c, r) => {
  const id = "drift.config-changed";
  if (r.configs === null || c.configRefs.length === 0 || r.lastDeployment === null) return null;
  const configs = r.configs;
  const changed = configs.filter((x) => x.observedHash !== null && x.deployedHash !== null && x.observedHash !== x.deployedHash);
  const evidence = () => ({
    ...controllerEvidence(c),
    configs: configs.map((x) => ({
      kind: x.kind,
      name: x.name,
      observedHash: x.observedHash,
      deployedHash: x.deployedHash,
      baselineSnapshot: x.baseline ? { externalId: x.baseline.snapshotExternalId, observedAt: iso(x.baseline.observedAt) } : null,
      changed: x.observedHash !== null && x.deployedHash !== null && x.observedHash !== x.deployedHash,
    })),
    lastDeployment: deploymentEvidence(r.lastDeployment),
  });
  if (changed.length > 0) {
    const names = changed.map((x) => `${x.kind} ${c.namespace}/${x.name}`).join(", ");
    return outcome(id, "fail", `${names}, read by ${at(c)}, changed after its last deployment ${r.lastDeployment.externalId} with no deployment in between.`, evidence);
  }
  if (configs.every((x) => x.deployedHash === null)) {
    return outcome(id, "missing-evidence", `No snapshot after the last deployment of ${c.service} in ${c.environment} shows the configuration ${c.name} reads.`, evidence);
  }
  return outcome(id, "pass", () => `The ConfigMaps and Secrets ${at(c)} reads are those deployed.`, evidence);
};

/** `drift.unrecorded-workload`: a controller in an enforced namespace whose service no deployment record created there. */
export const unrecordedWorkload: ControllerDriftRule = (c, r) => {
  const id = "drift.unrecorded-workload";
  if (!r.enforcedNamespace) return null;
  const evidence = () => ({ ...controllerEvidence(c), lastDeployment: deploymentEvidence(r.lastDeployment) });
  if (r.lastDeployment) return outcome(id, "pass", () => `${at(c)} was created by deployment ${r.lastDeployment?.externalId}.`, evidence);
  return outcome(id, "fail", `${at(c)} runs ${Object.values(c.images).join(", ") || "no container"}, and no deployment of ${c.service} to ${c.environment} is recorded.`, evidence);
};

export const controllerDriftRules: readonly ControllerDriftRule[] = [manualApplyOnController, configChangedOnController, unrecordedWorkload];

export function evaluateControllerDrift(c: ObservedController, r: ControllerRecord): DriftOutcome[] {
  const out: DriftOutcome[] = [];
  for (const rule of controllerDriftRules) {
    const o = rule(c, r);
    if (o !== null) out.push(o);
  }
  return out;
}
