import { z } from "zod";
import { validation } from "@/lib/errors";
import { digestFromImageId } from "./image-digest";
import { isObject, type JsonObject, nonEmptyString, stringMap } from "./json-guards";
import { workloadOf, type WorkloadId } from "./workload-owner";

export type ObservedContainer = { name: string; image: string; digest: string | null };
export type ManagedField = { manager: string; operation: string; time: string | null };

/** One pod reduced to what a snapshot needs, already checked. */
export type ObservedPod = {
  name: string;
  namespace: string;
  workload: WorkloadId;
  createdAt: number;
  /** False once the pod has Succeeded or Failed: it no longer runs, but it did run its images. */
  active: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  managedFields: ManagedField[];
  containers: ObservedContainer[];
};

type ContainerList = "containers" | "initContainers" | "ephemeralContainers";
const STATUS_LIST: Record<ContainerList, string> = {
  containers: "containerStatuses",
  initContainers: "initContainerStatuses",
  ephemeralContainers: "ephemeralContainerStatuses",
};

/** Checks the shape of `kubectl get pods -A -o json` output and reads every pod in it. */
export function readPodList(input: unknown): ObservedPod[] {
  if (!isObject(input)) throw validation("expected the output of kubectl get pods -A -o json (kind: List); got no JSON object");
  if (input.kind !== "List" && input.kind !== "PodList") {
    const got = typeof input.kind === "string" ? `kind: ${input.kind}` : "no kind";
    throw validation(`expected the output of kubectl get pods -A -o json (kind: List); got ${got}`);
  }
  if (!Array.isArray(input.items)) throw validation("items must be an array of pods");
  return input.items.map((item, index) => readPod(item, index));
}

function readPod(item: unknown, index: number): ObservedPod {
  const at = `items[${index}]`;
  if (!isObject(item)) throw validation(`${at}: not an object`);
  if (item.kind !== undefined && item.kind !== "Pod") throw validation(`${at}: kind ${String(item.kind)} is not a Pod`);
  const metadata = item.metadata;
  if (!isObject(metadata)) throw validation(`${at}: metadata missing`);
  const name = nonEmptyString(metadata.name);
  if (!name) throw validation(`${at}: metadata.name missing`);
  const where = `${at} (pod ${name})`;
  const namespace = nonEmptyString(metadata.namespace);
  if (!namespace) throw validation(`${where}: metadata.namespace missing`);
  const spec = item.spec;
  if (!isObject(spec)) throw validation(`${where}: spec missing`);
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) throw validation(`${where}: spec.containers missing`);

  // A pod without status (just created, or trimmed by a tool) is kept: its images are known from
  // the spec, its digests are not. Metadata and spec are what make it a pod, so those are required.
  const status = isObject(item.status) ? item.status : {};
  const labels = stringMap(metadata.labels);
  const createdAt = Date.parse(String(metadata.creationTimestamp));
  return {
    name,
    namespace,
    workload: workloadOf(name, metadata, labels),
    createdAt: Number.isNaN(createdAt) ? 0 : createdAt,
    active: status.phase !== "Succeeded" && status.phase !== "Failed",
    labels,
    annotations: stringMap(metadata.annotations),
    managedFields: readManagedFields(metadata.managedFields),
    containers: [
      ...readContainers(spec, status, "containers", where),
      ...readContainers(spec, status, "initContainers", where),
      ...readContainers(spec, status, "ephemeralContainers", where),
    ],
  };
}

function readContainers(spec: JsonObject, status: JsonObject, list: ContainerList, where: string): ObservedContainer[] {
  const entries = spec[list];
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw validation(`${where}: spec.${list} must be an array`);
  const digests = digestsByName(status[STATUS_LIST[list]]);
  return entries.map((entry: unknown, i) => {
    const path = `${where}: spec.${list}[${i}]`;
    if (!isObject(entry)) throw validation(`${path} is not an object`);
    const name = nonEmptyString(entry.name);
    if (!name) throw validation(`${path}.name missing`);
    const image = nonEmptyString(entry.image);
    if (!image) throw validation(`${path}.image missing`);
    return { name: reportedName(list, name, entry), image, digest: digests.get(name) ?? null };
  });
}

// Sidecars (init containers that keep running) are part of the workload like any container; plain
// init and ephemeral (debug) containers are marked so drift rules still see every image that ran.
function reportedName(list: ContainerList, name: string, entry: JsonObject): string {
  if (list === "containers") return name;
  if (list === "ephemeralContainers") return `ephemeral:${name}`;
  return entry.restartPolicy === "Always" ? name : `init:${name}`;
}

function digestsByName(statuses: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(statuses)) return out;
  for (const s of statuses) {
    if (!isObject(s)) continue;
    const name = nonEmptyString(s.name);
    const digest = digestFromImageId(s.imageID);
    if (name && digest) out.set(name, digest);
  }
  return out;
}

const isoTime = z.iso.datetime({ offset: true });

function readManagedFields(value: unknown): ManagedField[] {
  if (!Array.isArray(value)) return [];
  const out: ManagedField[] = [];
  for (const entry of value) {
    if (!isObject(entry)) continue;
    const manager = nonEmptyString(entry.manager);
    const operation = nonEmptyString(entry.operation);
    if (!manager || !operation) continue;
    const time = nonEmptyString(entry.time);
    out.push({ manager, operation, time: time && isoTime.safeParse(time).success ? time : null });
  }
  return out;
}
