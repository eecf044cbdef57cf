import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { snapshotEvent } from "@/lib/events/schema";
import { podsToSnapshot } from "./pods-to-snapshot";

const CHECKOUT = "sha256:367da6bd8b93b9256d39a8938971e67a24f43fc0aeab9f4b9fe2ee2b721cce99";
const ISTIO = "sha256:221626ad054bc81bc4e6251e3aa0eb376300abf9c9b6a500425368cd38748407";
const POSTGRES = "sha256:fbe3baaf49e9c9621e2b2bef5709fa2c9f021e14e27862ca2ac73b4351258f78";
const ORDERS = "sha256:121dcdf1a69a23bc121f50369e8729c375b982cb78e1921aaef20ee9faba1a06";
const ORDERS_HOTFIX = "sha256:836f379237307c48dc3e213f45be38458421a396ad4b5432ab8d7c87ea44d58b";
const NETSHOOT = "sha256:7c7c658ae77c9d9cd7b91eef59494a64f7e5a6693d15fa19130b23f8d33e3dd4";
const OTHER = `sha256:${"ab".repeat(32)}`;

type ContainerStatusFixture = { name: string; image: string; imageID: string };
type PodFixture = {
  kind?: string;
  metadata: { name?: string; creationTimestamp: string; annotations?: Record<string, string> };
  spec: { containers?: Array<{ name: string; image: string }>; ephemeralContainers?: Array<{ name: string; image: string }> };
  status?: { containerStatuses: ContainerStatusFixture[]; ephemeralContainerStatuses?: ContainerStatusFixture[] };
};
type PodListFixture = { apiVersion: string; kind: string; items: PodFixture[] };

const loadPods = (): PodListFixture => JSON.parse(readFileSync(new URL("./fixtures/pods.json", import.meta.url), "utf8")) as PodListFixture;
const opts = { environment: "production", id: "snapshot:production:2024-06-16T09:30:00Z", observedAt: "2024-06-16T09:30:00Z" };

function podNamed(list: PodListFixture, name: string): PodFixture {
  const pod = list.items.find((p) => p.metadata.name === name);
  if (!pod) throw new Error(`fixture has no pod ${name}`);
  return pod;
}

function workload(input: unknown, namespace: string, kind: string, name: string) {
  const found = podsToSnapshot(input, opts).workloads.find((w) => w.namespace === namespace && w.kind === kind && w.name === name);
  if (!found) throw new Error(`no workload ${namespace}/${kind}/${name}`);
  return found;
}

function validationError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) {
      expect(error.code).toBe("VALIDATION");
      return error;
    }
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("podsToSnapshot", () => {
  it("produces a valid snapshot event with one workload per namespace, kind and name", () => {
    const snapshot = podsToSnapshot(loadPods(), opts);
    expect(snapshotEvent.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({ id: opts.id, type: "snapshot", occurredAt: opts.observedAt, environment: "production", source: "kubernetes" });
    expect(snapshot.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`)).toEqual([
      "kube-system/DaemonSet/kube-proxy",
      "kube-system/Pod/etcd-ip-10-0-0-10.eu-west-1.compute.internal",
      "kube-system/Pod/kube-apiserver-ip-10-0-0-10.eu-west-1.compute.internal",
      "shop/CronJob/nightly-report",
      "shop/Deployment/checkout",
      "shop/Deployment/orders-api",
      "shop/Deployment/recommendations",
      "shop/Pod/debug-toolbox",
      "shop/StatefulSet/postgres",
    ]);
  });

  it("groups a Deployment's pods into one workload with the digest each container runs", () => {
    const checkout = workload(loadPods(), "shop", "Deployment", "checkout");
    expect(checkout.replicas).toBe(2);
    expect(checkout.service).toBe("checkout");
    expect(checkout.containers).toContainEqual({
      name: "checkout",
      image: "ghcr.io/acme/checkout:3f2c1e9a8b7d4c6e5f1a2b3c4d5e6f7a8b9c0d1e",
      digest: CHECKOUT,
      configHash: "c9f4ffda9a10a6cb51f07777f0ca80251cfebfe38dd665c1d0c8dc96b651061a",
    });
  });

  it("includes a native sidecar under its own name and plain init containers as init:<name>", () => {
    const checkout = workload(loadPods(), "shop", "Deployment", "checkout");
    expect(checkout.containers.map((c) => c.name)).toEqual(["checkout", "istio-proxy"]);
    expect(checkout.containers[1]).toMatchObject({ image: "docker.io/istio/proxyv2:1.22.1", digest: ISTIO });

    const orders = workload(loadPods(), "shop", "Deployment", "orders-api");
    expect(orders.containers).toEqual([
      expect.objectContaining({ name: "orders-api", image: "ghcr.io/acme/orders-api:hotfix-0615", digest: ORDERS_HOTFIX }),
      expect.objectContaining({ name: "init:migrate", image: "ghcr.io/acme/orders-api:9b8e7d6c5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c", digest: ORDERS }),
    ]);
  });

  it("reports an ephemeral debug container as ephemeral:<name>", () => {
    const list = loadPods();
    const pod = podNamed(list, "checkout-7d9f8b6c5-x2x9k");
    pod.spec.ephemeralContainers = [{ name: "debugger-q7k2x", image: "busybox:1.36" }];
    const checkout = workload(list, "shop", "Deployment", "checkout");
    expect(checkout.containers).toContainEqual(expect.objectContaining({ name: "ephemeral:debugger-q7k2x", image: "busybox:1.36", digest: null }));
  });

  it("gives a container still pulling its image a null digest", () => {
    const recommendations = workload(loadPods(), "shop", "Deployment", "recommendations");
    expect(recommendations.replicas).toBe(1);
    expect(recommendations.containers).toEqual([
      expect.objectContaining({ name: "recommendations", digest: null, image: "ghcr.io/acme/recommendations:4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f" }),
    ]);
  });

  it("makes a StatefulSet one workload and keeps a digest-pinned ref as written", () => {
    const postgres = workload(loadPods(), "shop", "StatefulSet", "postgres");
    expect(postgres.replicas).toBe(2);
    expect(postgres.containers).toEqual([
      expect.objectContaining({ name: "postgres", image: `docker.io/library/postgres:16.3@${POSTGRES}`, digest: POSTGRES }),
    ]);
  });

  it("names a DaemonSet without app labels after the DaemonSet", () => {
    const proxy = workload(loadPods(), "kube-system", "DaemonSet", "kube-proxy");
    expect(proxy).toMatchObject({ service: "kube-proxy", replicas: 1 });
  });

  it("keeps a :latest image ref as written and the digest it resolved to", () => {
    const toolbox = workload(loadPods(), "shop", "Pod", "debug-toolbox");
    expect(toolbox.containers).toEqual([expect.objectContaining({ name: "toolbox", image: "nicolaka/netshoot:latest", digest: NETSHOOT })]);
    expect(toolbox.service).toBe("debug-toolbox");
  });

  it("lists who wrote the pods, including kubectl", () => {
    const toolbox = workload(loadPods(), "shop", "Pod", "debug-toolbox");
    expect(toolbox.managers).toContainEqual({ manager: "kubectl-client-side-apply", operation: "Update", time: "2024-06-15T21:48:19Z" });
    expect(toolbox.lastAppliedBy).toBe("kubectl-client-side-apply");

    const orders = workload(loadPods(), "shop", "Deployment", "orders-api");
    expect(orders.managers).toContainEqual({ manager: "kubectl-edit", operation: "Update", time: "2024-06-15T22:03:41Z" });
    expect(orders.lastAppliedBy).toBeUndefined();
  });

  it("lists each manager once per operation across a workload's pods, at its latest time", () => {
    const checkout = workload(loadPods(), "shop", "Deployment", "checkout");
    expect(checkout.managers).toEqual([
      { manager: "kube-controller-manager", operation: "Update", time: "2024-06-14T08:12:03Z" },
      { manager: "kubelet", operation: "Update", time: "2024-06-14T08:12:09Z" },
    ]);
  });

  it("maps a CronJob's Job pod to the CronJob and counts finished pods out of replicas", () => {
    const report = workload(loadPods(), "shop", "CronJob", "nightly-report");
    expect(report.replicas).toBe(0);
    expect(report.containers).toEqual([expect.objectContaining({ name: "report", image: "ghcr.io/acme/nightly-report:c0ffee1234567890abcdef1234567890abcdef12" })]);
  });

  it("keeps static pods of one node apart", () => {
    const staticPods = podsToSnapshot(loadPods(), opts).workloads.filter((w) => w.namespace === "kube-system" && w.kind === "Pod");
    expect(staticPods.map((w) => w.containers.map((c) => c.name))).toEqual([["etcd"], ["kube-apiserver"]]);
  });

  it("joins Helm checksums and prefers Custody's own config hash annotation", () => {
    const list = loadPods();
    const orders = workload(list, "shop", "Deployment", "orders-api");
    expect(orders.containers[0]?.configHash).toMatch(/^[a-f0-9]{64},[a-f0-9]{64}$/);

    const pod = podNamed(list, "orders-api-5b8c9d7f6d-m4kzt");
    pod.metadata.annotations = { ...pod.metadata.annotations, "custody.dev/config-hash": "cfg-41" };
    expect(workload(list, "shop", "Deployment", "orders-api").containers[0]?.configHash).toBe("cfg-41");
    expect(workload(list, "shop", "Pod", "debug-toolbox").containers[0]?.configHash).toBeNull();
  });

  it("takes the newest pod's image and digest when a workload's pods disagree", () => {
    const list = loadPods();
    const newer = podNamed(list, "checkout-7d9f8b6c5-q8wzn");
    newer.metadata.creationTimestamp = "2024-06-15T10:00:00Z";
    newer.spec.containers = [{ name: "checkout", image: "ghcr.io/acme/checkout:hotfix" }];
    newer.status = { containerStatuses: [{ name: "checkout", image: "ghcr.io/acme/checkout:hotfix", imageID: `ghcr.io/acme/checkout@${OTHER}` }] };
    const checkout = workload(list, "shop", "Deployment", "checkout");
    expect(checkout.replicas).toBe(2);
    expect(checkout.containers).toContainEqual(expect.objectContaining({ name: "checkout", image: "ghcr.io/acme/checkout:hotfix", digest: OTHER }));
  });

  it("keeps the running digest while the newest pod of a rollout is still pulling", () => {
    const list = loadPods();
    const pulling = podNamed(list, "checkout-7d9f8b6c5-q8wzn");
    pulling.metadata.creationTimestamp = "2024-06-15T10:00:00Z";
    pulling.spec.containers = [{ name: "checkout", image: "ghcr.io/acme/checkout:next" }];
    pulling.status = { containerStatuses: [{ name: "checkout", image: "ghcr.io/acme/checkout:next", imageID: "" }] };
    const checkout = workload(list, "shop", "Deployment", "checkout");
    expect(checkout.containers).toContainEqual(expect.objectContaining({ name: "checkout", image: "ghcr.io/acme/checkout:3f2c1e9a8b7d4c6e5f1a2b3c4d5e6f7a8b9c0d1e", digest: CHECKOUT }));
  });

  it("accepts a PodList from the API and a pod without status", () => {
    const list = loadPods();
    const pod = podNamed(list, "postgres-1");
    delete pod.status;
    for (const item of list.items) delete item.kind;
    const postgres = workload({ ...list, kind: "PodList" }, "shop", "StatefulSet", "postgres");
    expect(postgres.replicas).toBe(2);
    expect(postgres.containers[0]?.digest).toBe(POSTGRES);

    const alone = loadPods();
    alone.items = alone.items.filter((p) => p.metadata.name === "postgres-1");
    delete podNamed(alone, "postgres-1").status;
    expect(workload(alone, "shop", "StatefulSet", "postgres").containers[0]?.digest).toBeNull();
  });

  it("returns no workloads for an empty cluster", () => {
    expect(podsToSnapshot({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: [] }, opts).workloads).toEqual([]);
  });

  describe("rejects input that is not kubectl get pods -A -o json", () => {
    it.each([null, "pods", [], 42])("not an object: %j", (input) => {
      expect(validationError(() => podsToSnapshot(input, opts)).message).toContain("expected the output of kubectl get pods -A -o json (kind: List)");
    });

    it("a single Pod or another kind of list", () => {
      const pod = loadPods().items[0];
      expect(validationError(() => podsToSnapshot(pod, opts)).message).toBe(
        "expected the output of kubectl get pods -A -o json (kind: List); got kind: Pod",
      );
      expect(validationError(() => podsToSnapshot({ kind: "DeploymentList", items: [] }, opts)).message).toContain("(kind: List)");
    });

    it("items that are not an array", () => {
      expect(validationError(() => podsToSnapshot({ apiVersion: "v1", kind: "List", items: {} }, opts)).message).toBe("items must be an array of pods");
    });

    it("a pod without spec.containers, naming the item and the pod", () => {
      const list = loadPods();
      const fourth = list.items[3];
      if (!fourth) throw new Error("fixture has fewer than 4 pods");
      delete fourth.spec.containers;
      expect(validationError(() => podsToSnapshot(list, opts)).message).toBe("items[3] (pod postgres-0): spec.containers missing");
    });

    it("a pod without metadata.name, or a container without an image", () => {
      const unnamed = loadPods();
      const second = unnamed.items[1];
      if (!second) throw new Error("fixture has fewer than 2 pods");
      delete second.metadata.name;
      expect(validationError(() => podsToSnapshot(unnamed, opts)).message).toBe("items[1]: metadata.name missing");

      const imageless = loadPods();
      podNamed(imageless, "debug-toolbox").spec.containers = [{ name: "toolbox", image: "" }];
      expect(validationError(() => podsToSnapshot(imageless, opts)).message).toBe("items[9] (pod debug-toolbox): spec.containers[0].image missing");
    });

    it("an environment name the schema refuses", () => {
      expect(validationError(() => podsToSnapshot(loadPods(), { ...opts, environment: "Prod" })).message).toMatch(/^snapshot: environment: /);
    });
  });
});
