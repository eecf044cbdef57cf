import { createHash } from "node:crypto";
import type { CustodyEvent, EventOf } from "@/lib/events/schema";
import { DEMO_ENVIRONMENTS, DEMO_NAMESPACE, DEMO_SERVICES, type DemoEnvironment } from "./catalog";
import { iso, type Emit } from "./change-events";
import type { DriftOp } from "./drift";
import { DAY, HOUR, MINUTE, type Period } from "./plan";

type Snapshot = EventOf<"snapshot">;
type Workload = Snapshot["workloads"][number];
type Manager = NonNullable<Workload["managers"]>[number];
type Observed = { image: string; digest: string; configHash: string; managers: Manager[]; lastAppliedBy?: string };

const REPLICAS: Record<DemoEnvironment, number> = { development: 1, staging: 2, production: 3 };

/** Production is observed daily, the other environments every other day, and all of them at the end. */
function snapshotTimes(period: Period): { at: number; environment: DemoEnvironment }[] {
  const midnight = Math.floor(period.startMs / DAY) * DAY;
  const times: { at: number; environment: DemoEnvironment }[] = [];
  for (let day = 2; day < period.days; day++) {
    for (const environment of DEMO_ENVIRONMENTS) {
      if (environment === "production" || day % 2 === 0) times.push({ at: midnight + day * DAY + 6 * HOUR, environment });
    }
  }
  for (const environment of DEMO_ENVIRONMENTS) times.push({ at: period.endMs, environment });
  return times;
}

type Op = { at: number; apply: () => void };

/**
 * Replays deployments and drift in time order and records what each environment ran at each
 * snapshot, so observed state agrees with the deployment records except where drift says otherwise.
 */
export function emitSnapshots({ ids, rng }: Emit, period: Period, events: readonly CustodyEvent[], drift: readonly DriftOp[]): Snapshot[] {
  const state = new Map<string, Observed>();
  const key = (environment: string, service: string) => `${environment}/${service}`;
  const ops: Op[] = [];
  for (const e of events) {
    if (e.type !== "deployment" || e.status !== "success" || !e.digest) continue;
    const { digest, imageRef, environment, service } = e;
    const at = Date.parse(e.occurredAt);
    ops.push({
      at,
      apply: () => {
        const previous = state.get(key(environment, service));
        // Most releases ship code only; about one in four also changes the injected configuration.
        const configHash = previous && !rng.chance(0.25) ? previous.configHash : ids.configHash(service, environment);
        state.set(key(environment, service), {
          image: imageRef, digest, configHash,
          managers: [
            { manager: "argocd-controller", operation: "Update", time: iso(at) },
            { manager: "kube-controller-manager", operation: "Update", time: iso(at + MINUTE) },
          ],
        });
      },
    });
  }
  const handMade = new Map<string, { service: string; kind: string; image: string; managers: Manager[] }[]>();
  for (const d of drift) {
    const made = d.controller;
    if (made) {
      ops.push({
        at: d.at,
        apply: () => {
          const list = handMade.get(d.environment) ?? [];
          list.push({ service: d.service, ...made, managers: [{ manager: "kubectl-create", operation: "Update", time: iso(d.at) }] });
          handMade.set(d.environment, list);
        },
      });
      continue;
    }
    ops.push({
      at: d.at,
      apply: () => {
        const current = state.get(key(d.environment, d.service));
        if (!current) return;
        state.set(key(d.environment, d.service), {
          ...current,
          ...(d.image ? { image: d.image } : {}),
          ...(d.digest ? { digest: d.digest } : {}),
          ...(d.newConfig ? { configHash: ids.configHash(d.service, d.environment) } : {}),
          ...(d.lastAppliedBy ? { lastAppliedBy: d.lastAppliedBy } : {}),
          managers: d.manager ? [...current.managers, d.manager] : current.managers,
        });
      },
    });
  }
  ops.sort((a, b) => a.at - b.at);

  const snapshots: Snapshot[] = [];
  let next = 0;
  for (const { at, environment } of snapshotTimes(period)) {
    for (; next < ops.length && (ops[next]?.at ?? Infinity) <= at; next++) ops[next]?.apply();
    const workloads: Workload[] = [];
    for (const { name } of DEMO_SERVICES) {
      const observed = state.get(key(environment, name));
      if (!observed) continue;
      workloads.push({
        namespace: DEMO_NAMESPACE, kind: "Deployment", name, service: name,
        containers: [{ name, image: observed.image, digest: observed.digest, configHash: observed.configHash }],
        managers: observed.managers, ...(observed.lastAppliedBy ? { lastAppliedBy: observed.lastAppliedBy } : {}),
        replicas: REPLICAS[environment],
      });
    }
    const { controllers, configs } = clusterObjects(environment, workloads, handMade.get(environment) ?? []);
    snapshots.push({ id: ids.event("snapshot"), type: "snapshot", occurredAt: iso(at), environment, source: "kubernetes", workloads, controllers, configs });
  }
  return snapshots;
}

type Controller = NonNullable<Snapshot["controllers"]>[number];
type ConfigObject = NonNullable<Snapshot["configs"]>[number];
const hashOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/**
 * What `kubectl get deploy,cronjob,cm,secret` adds to the snapshot: each workload's Deployment
 * (reading `<service>-config` and `<service>-db`), the hashes of those objects (the ConfigMap's
 * follows the pods' config hash, the Secret never changes), and controllers made by hand.
 */
function clusterObjects(environment: string, workloads: Workload[], handMade: { service: string; kind: string; image: string; managers: Manager[] }[]) {
  const controllers: Controller[] = workloads.map((w) => ({
    namespace: w.namespace, kind: w.kind, name: w.name, service: w.service ?? w.name,
    images: Object.fromEntries(w.containers.map((c) => [c.name, c.image])),
    configRefs: [{ kind: "ConfigMap", name: `${w.name}-config` }, { kind: "Secret", name: `${w.name}-db` }],
    managers: w.managers ?? [],
  }));
  const configs: ConfigObject[] = workloads.flatMap((w): ConfigObject[] => [
    { namespace: w.namespace, kind: "ConfigMap", name: `${w.name}-config`, dataHash: hashOf(`config:${w.containers[0]?.configHash ?? ""}`), keys: 3 },
    { namespace: w.namespace, kind: "Secret", name: `${w.name}-db`, dataHash: hashOf(`secret:${environment}:${w.name}`), keys: 2 },
  ]);
  for (const m of handMade) {
    controllers.push({ namespace: DEMO_NAMESPACE, kind: m.kind, name: m.service, service: m.service, images: { [m.service]: m.image }, configRefs: [], managers: m.managers });
  }
  return { controllers, configs };
}
