import { isObject, nonEmptyString } from "./json-guards";

export type WorkloadId = { kind: string; name: string };

type OwnerReference = { kind: string; name: string; controller: boolean };

// The CronJob controller names its Jobs `<cronjob>-<scheduled time in minutes since the epoch>`
// (8 digits until the 2160s). A hand-made Job with such a suffix is misread as a CronJob run.
const CRONJOB_RUN = /^(.+)-\d{8,}$/;

function ownerReferences(metadata: Record<string, unknown>): OwnerReference[] {
  const refs = metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  const out: OwnerReference[] = [];
  for (const ref of refs) {
    if (!isObject(ref)) continue;
    const kind = nonEmptyString(ref.kind);
    const name = nonEmptyString(ref.name);
    if (kind && name) out.push({ kind, name, controller: ref.controller === true });
  }
  return out;
}

/** The workload a pod belongs to, from its controlling owner reference. */
export function workloadOf(podName: string, metadata: Record<string, unknown>, labels: Record<string, string>): WorkloadId {
  const refs = ownerReferences(metadata);
  const owner = refs.find((r) => r.controller) ?? refs[0];
  if (!owner) return { kind: "Pod", name: podName };
  switch (owner.kind) {
    case "ReplicaSet": {
      const hash = labels["pod-template-hash"];
      const suffix = hash ? `-${hash}` : undefined;
      if (suffix && owner.name.endsWith(suffix) && owner.name.length > suffix.length) {
        return { kind: "Deployment", name: owner.name.slice(0, -suffix.length) };
      }
      return { kind: "ReplicaSet", name: owner.name };
    }
    case "Job": {
      const run = CRONJOB_RUN.exec(owner.name);
      return run?.[1] ? { kind: "CronJob", name: run[1] } : { kind: "Job", name: owner.name };
    }
    // Static (mirror) pods are owned by their Node; grouping by node would merge etcd with the apiserver.
    case "Node":
      return { kind: "Pod", name: podName };
    default:
      return { kind: owner.kind, name: owner.name };
  }
}
