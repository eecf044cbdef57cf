import { describeIssues, validation } from "@/lib/errors";
import { type EventOf, snapshotEvent } from "@/lib/events/schema";
import { configHashOf, lastAppliedByOf } from "./pod-annotations";
import { type ManagedField, type ObservedContainer, type ObservedPod, readPodList } from "./read-pod-list";

type Snapshot = EventOf<"snapshot">;
type Workload = Snapshot["workloads"][number];

export type PodsToSnapshotOptions = { environment: string; id: string; observedAt: string };

const MAX_MANAGERS = 100;

/**
 * Turns `kubectl get pods -A -o json` into a snapshot event: one workload per (namespace, kind,
 * name), its replicas the pods still running, its containers every image its pods ran.
 * Throws AppError VALIDATION naming the bad item when the input is not that output.
 */
export function podsToSnapshot(input: unknown, opts: PodsToSnapshotOptions): Snapshot {
  const groups = new Map<string, ObservedPod[]>();
  for (const pod of readPodList(input)) {
    const key = JSON.stringify([pod.namespace, pod.workload.kind, pod.workload.name]);
    const group = groups.get(key);
    if (group) group.push(pod);
    else groups.set(key, [pod]);
  }
  const workloads = [...groups.values()].map(toWorkload).sort(byIdentity);
  const parsed = snapshotEvent.safeParse({
    id: opts.id,
    type: "snapshot",
    occurredAt: opts.observedAt,
    environment: opts.environment,
    source: "kubernetes",
    workloads,
  });
  if (!parsed.success) throw validation(`snapshot: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
  return parsed.data;
}

function toWorkload(pods: ObservedPod[]): Workload {
  const ordered = [...pods].sort(byPreference);
  const [first] = ordered;
  if (!first) throw new Error("a workload group is never empty");
  const lastAppliedBy = ordered.map((p) => lastAppliedByOf(p.annotations)).find(Boolean);
  return {
    namespace: first.namespace,
    kind: first.workload.kind,
    name: first.workload.name,
    service: first.labels["app.kubernetes.io/name"] || first.labels.app || first.workload.name,
    containers: containersOf(ordered),
    managers: managersOf(ordered),
    ...(lastAppliedBy ? { lastAppliedBy } : {}),
    replicas: pods.filter((p) => p.active).length,
  };
}

/**
 * One entry per container name. The schema holds one digest per container, so when pods disagree
 * (mid-rollout, or one pod patched by hand) the newest running pod that reports a digest wins and
 * the other digest is not carried. Image, digest and config hash always come from that same pod.
 */
function containersOf(ordered: ObservedPod[]): Workload["containers"] {
  const chosen = new Map<string, { pod: ObservedPod; container: ObservedContainer }>();
  for (const pod of ordered) {
    for (const container of pod.containers) {
      const seen = chosen.get(container.name);
      if (!seen || (seen.container.digest === null && container.digest !== null)) chosen.set(container.name, { pod, container });
    }
  }
  return [...chosen.values()].map(({ pod, container }) => ({ ...container, configHash: configHashOf(pod.annotations) }));
}

/** Every (manager, operation) that wrote to the workload's pods, at its latest time, oldest first. */
function managersOf(pods: ObservedPod[]): ManagedField[] {
  const latest = new Map<string, ManagedField>();
  for (const field of pods.flatMap((p) => p.managedFields)) {
    const key = JSON.stringify([field.manager, field.operation]);
    const seen = latest.get(key);
    if (!seen || timeOf(field) > timeOf(seen)) latest.set(key, field);
  }
  return [...latest.values()].sort((a, b) => timeOf(a) - timeOf(b) || compare(a.manager, b.manager)).slice(-MAX_MANAGERS);
}

function timeOf(field: ManagedField): number {
  return field.time === null ? 0 : Date.parse(field.time);
}

/** Running pods before finished ones, then newest first; the name breaks ties so output is stable. */
function byPreference(a: ObservedPod, b: ObservedPod): number {
  return Number(b.active) - Number(a.active) || b.createdAt - a.createdAt || compare(a.name, b.name);
}

function byIdentity(a: Workload, b: Workload): number {
  return compare(a.namespace, b.namespace) || compare(a.kind, b.kind) || compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
