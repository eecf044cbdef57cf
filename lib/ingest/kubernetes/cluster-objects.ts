import { validation } from "@/lib/errors";
import type { EventOf } from "@/lib/events/schema";
import { configDataHash } from "./config-hash";
import { isObject, type JsonObject, nonEmptyString, stringMap } from "./json-guards";
import { type ManagedField } from "./read-pod-list";

type Snapshot = EventOf<"snapshot">;
export type Controller = NonNullable<Snapshot["controllers"]>[number];
export type ConfigObject = NonNullable<Snapshot["configs"]>[number];
export type OtherObject = NonNullable<Snapshot["otherObjects"]>[number];

/** The controllers a snapshot reads; ReplicaSets only when no Deployment owns them. */
const CONTROLLER_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet"]);
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const MAX_MANAGERS = 100;

export interface SortedObjects {
  pods: unknown[];
  controllers: Controller[];
  configs: ConfigObject[];
  otherObjects: OtherObject[];
}

/**
 * Sorts the items of `kubectl get pods,deploy,sts,ds,cronjob,job,cm,secret -A -o json` by kind.
 * ConfigMaps and Secrets leave here as the hash of their data only (their annotations, which for
 * a Secret made by `kubectl apply` hold its values again, are dropped too). Other kinds keep only
 * their identity.
 */
export function sortObjects(items: unknown[]): SortedObjects {
  const out: SortedObjects = { pods: [], controllers: [], configs: [], otherObjects: [] };
  items.forEach((item, index) => {
    if (!isObject(item)) throw validation(`items[${index}]: not an object`);
    const kind = item.kind;
    // kubectl get pods prints items with their kind; a bare item (kind omitted) is read as a pod, as before.
    if (kind === undefined || kind === "Pod") return void out.pods.push(item);
    const metadata = isObject(item.metadata) ? item.metadata : {};
    const name = nonEmptyString(metadata.name);
    if (typeof kind !== "string" || !name) throw validation(`items[${index}]: kind and metadata.name are required`);
    const namespace = nonEmptyString(metadata.namespace);
    if (kind === "ConfigMap" || kind === "Secret") {
      if (!namespace) throw validation(`items[${index}] (${kind} ${name}): metadata.namespace missing`);
      const { hash, keys } = configDataHash(kind, namespace, name, item);
      out.configs.push({ namespace, kind, name, dataHash: hash, keys });
      return;
    }
    if (CONTROLLER_KINDS.has(kind) && namespace) {
      const controller = readController(item, metadata, kind, namespace, name);
      if (controller) out.controllers.push(controller);
      return;
    }
    const apiVersion = nonEmptyString(item.apiVersion);
    out.otherObjects.push({ ...(apiVersion ? { apiVersion } : {}), kind, ...(namespace ? { namespace } : {}), name });
  });
  out.controllers.sort(byIdentity);
  out.configs.sort(byIdentity);
  return out;
}

/** A controller's pod template, its config references, its field managers; null for one another controller owns. */
function readController(item: JsonObject, metadata: JsonObject, kind: string, namespace: string, name: string): Controller | null {
  if (ownedByController(metadata)) return null;
  const spec = isObject(item.spec) ? item.spec : {};
  const template = templateOf(kind, spec);
  const podSpec = isObject(template?.spec) ? template.spec : {};
  const labels = { ...stringMap(metadata.labels), ...stringMap(isObject(template?.metadata) ? template.metadata.labels : undefined) };
  const lastAppliedImages = lastAppliedImagesOf(kind, stringMap(metadata.annotations)[LAST_APPLIED]);
  return {
    namespace,
    kind,
    name,
    service: labels["app.kubernetes.io/name"] || labels.app || name,
    images: imagesOf(podSpec),
    configRefs: configRefsOf(podSpec),
    managers: managersOf(metadata.managedFields),
    ...(lastAppliedImages ? { lastAppliedImages } : {}),
  };
}

function ownedByController(metadata: JsonObject): boolean {
  const refs = metadata.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isObject(r) && r.controller === true);
}

function templateOf(kind: string, spec: JsonObject): JsonObject | null {
  if (kind === "CronJob") {
    const job = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : null;
    return job && isObject(job.template) ? job.template : null;
  }
  return isObject(spec.template) ? spec.template : null;
}

function imagesOf(podSpec: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [list, prefix] of [["containers", ""], ["initContainers", "init:"]] as const) {
    const entries = podSpec[list];
    if (!Array.isArray(entries)) continue;
    for (const c of entries) {
      if (!isObject(c)) continue;
      const cname = nonEmptyString(c.name);
      const image = nonEmptyString(c.image);
      if (cname && image) out[list === "initContainers" && c.restartPolicy === "Always" ? cname : `${prefix}${cname}`] = image;
    }
  }
  return out;
}

/** Every ConfigMap and Secret the pod template reads: volumes (also projected), envFrom and env valueFrom. */
export function configRefsOf(podSpec: JsonObject): Controller["configRefs"] {
  const refs = new Map<string, Controller["configRefs"][number]>();
  const add = (kind: "ConfigMap" | "Secret", n: unknown) => {
    const refName = nonEmptyString(n);
    if (refName) refs.set(`${kind}/${refName}`, { kind, name: refName });
  };
  const volumes = Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  for (const v of volumes) {
    if (!isObject(v)) continue;
    if (isObject(v.configMap)) add("ConfigMap", v.configMap.name);
    if (isObject(v.secret)) add("Secret", v.secret.secretName);
    const sources = isObject(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [];
    for (const s of sources) {
      if (!isObject(s)) continue;
      if (isObject(s.configMap)) add("ConfigMap", s.configMap.name);
      if (isObject(s.secret)) add("Secret", s.secret.name);
    }
  }
  for (const list of ["containers", "initContainers"] as const) {
    const entries = Array.isArray(podSpec[list]) ? (podSpec[list] as unknown[]) : [];
    for (const c of entries) {
      if (!isObject(c)) continue;
      for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) {
        if (!isObject(e)) continue;
        if (isObject(e.configMapRef)) add("ConfigMap", e.configMapRef.name);
        if (isObject(e.secretRef)) add("Secret", e.secretRef.name);
      }
      for (const e of Array.isArray(c.env) ? c.env : []) {
        const from = isObject(e) && isObject(e.valueFrom) ? e.valueFrom : null;
        if (!from) continue;
        if (isObject(from.configMapKeyRef)) add("ConfigMap", from.configMapKeyRef.name);
        if (isObject(from.secretKeyRef)) add("Secret", from.secretKeyRef.name);
      }
    }
  }
  return [...refs.values()].sort((a, b) => compare(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`));
}

function managersOf(value: unknown): NonNullable<Controller["managers"]> {
  if (!Array.isArray(value)) return [];
  const out: (ManagedField & { subresource?: string })[] = [];
  for (const entry of value) {
    if (!isObject(entry)) continue;
    const manager = nonEmptyString(entry.manager);
    const operation = nonEmptyString(entry.operation);
    if (!manager || !operation) continue;
    const time = nonEmptyString(entry.time);
    const subresource = nonEmptyString(entry.subresource);
    out.push({ manager, operation, time: time && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : null, ...(subresource ? { subresource } : {}) });
  }
  return out.slice(-MAX_MANAGERS);
}

/** The images kubectl's last-applied-configuration names, or undefined when it is absent or not JSON. */
function lastAppliedImagesOf(kind: string, annotation: string | undefined): Record<string, string> | undefined {
  if (!annotation) return undefined;
  let applied: unknown;
  try {
    applied = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (!isObject(applied) || !isObject(applied.spec)) return undefined;
  const template = templateOf(kind, applied.spec);
  return imagesOf(isObject(template?.spec) ? template.spec : {});
}

function byIdentity(a: { namespace: string; kind: string; name: string }, b: { namespace: string; kind: string; name: string }): number {
  return compare(a.namespace, b.namespace) || compare(a.kind, b.kind) || compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
