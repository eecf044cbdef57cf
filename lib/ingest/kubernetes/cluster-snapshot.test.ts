import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clusterSnapshot } from ".";

const fixture = (): { kind: string; items: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(path.join(__dirname, "fixtures", "controllers.json"), "utf8"));
const opts = { environment: "production", id: "snap-c", observedAt: "2024-06-16T10:00:00Z" };
const SECRET_VALUES = ["Tr0ub4dor-and-3", Buffer.from("Tr0ub4dor-and-3").toString("base64"), "MHcCAQEEIOrdersTlsKeyNotReal"];

describe("custody snapshot k8s on controllers, ConfigMaps and Secrets", () => {
  it("reads each controller's images, the ConfigMaps and Secrets it reads, and its field managers; a CronJob's Jobs belong to it", () => {
    const event = clusterSnapshot(fixture(), opts);
    expect(event.controllers?.map((c) => `${c.namespace}/${c.kind}/${c.name}`)).toEqual([
      "kube-system/DaemonSet/kube-proxy",
      "shop/CronJob/nightly-report",
      "shop/Deployment/checkout",
      "shop/Deployment/orders-api",
      "shop/StatefulSet/redis",
    ]);
    const checkout = event.controllers?.find((c) => c.name === "checkout");
    expect(checkout?.configRefs).toEqual([{ kind: "ConfigMap", name: "checkout-config" }, { kind: "Secret", name: "checkout-db" }]);
    const orders = event.controllers?.find((c) => c.name === "orders-api");
    expect(orders).toMatchObject({ service: "orders", images: { "orders-api": "ghcr.io/acme/orders-api:hotfix-0615" } });
    expect(orders?.lastAppliedImages).toEqual({ "orders-api": `ghcr.io/acme/orders@sha256:${"ab".repeat(32)}` });
    expect(orders?.managers?.map((m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ""}`)).toEqual([
      "kubectl-client-side-apply/Update",
      "kubectl-edit/Update",
      "kubectl-set/Update",
      "kube-controller-manager/Update/status",
    ]);
    expect(event.controllers?.find((c) => c.name === "nightly-report")?.configRefs).toEqual([{ kind: "ConfigMap", name: "report-config" }]);
  });

  it("sends a Secret as the hash of its data only: no value, no base64 of one, no last-applied annotation", () => {
    const event = clusterSnapshot(fixture(), opts);
    const sent = JSON.stringify(event);
    for (const v of SECRET_VALUES) expect(sent).not.toContain(v);
    const secret = event.configs?.find((c) => c.name === "checkout-db");
    expect(secret).toEqual({ namespace: "shop", kind: "Secret", name: "checkout-db", dataHash: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), keys: 2 });
  });

  it("gives the same data the same hash, and changes it when one value changes", () => {
    const hashOf = (list: ReturnType<typeof fixture>) => clusterSnapshot(list, opts).configs?.find((c) => c.name === "checkout-config")?.dataHash;
    const edited = fixture();
    const cm = edited.items.find((i) => (i.metadata as { name: string }).name === "checkout-config") as { data: Record<string, string> };
    cm.data["checkout.yaml"] = "currency: EUR\npaymentTimeoutSeconds: 60\nretries: 3\n";
    expect(hashOf(fixture())).toBe(hashOf(fixture()));
    expect(hashOf(edited)).not.toBe(hashOf(fixture()));
  });

  it("keeps objects of other kinds by identity only, and still reads pods listed beside them", () => {
    const list = fixture();
    const pods = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "pods.json"), "utf8")) as { items: unknown[] };
    list.items.push(
      { apiVersion: "v1", kind: "Service", metadata: { name: "checkout", namespace: "shop" }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "checkout", namespace: "shop" }, spec: { maxReplicas: 5 } },
      ...(pods.items as Record<string, unknown>[]),
    );
    const event = clusterSnapshot(list, opts);
    expect(event.otherObjects).toEqual([
      { apiVersion: "v1", kind: "Service", namespace: "shop", name: "checkout" },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "shop", name: "checkout" },
    ]);
    expect(event.workloads.map((w) => w.name)).toContain("orders-api");
  });
});
