import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { clusterSnapshot } from "../ingest/kubernetes";
import { judgedBothWaysInFile } from "../testing/judged-both-ways";

/**
 * A controller's ConfigMaps and Secrets are compared with the first snapshot after its service's
 * last deployment that carries configuration. checkout is deployed at 08:10; a pods-only snapshot
 * (no configuration) follows at 2024-06-15 07:00, a full `kubectl get` at 08:00, and a day later one
 * where checkout-config was edited. The baseline must be the 08:00 snapshot, not the pods-only one
 * (which would read as "no configuration recorded at the deployment"), judged snapshot by
 * snapshot and as one group.
 */
const fixtures = path.join(__dirname, "..", "ingest", "kubernetes", "fixtures");
type List = { kind: string; items: Record<string, unknown>[] };
const controllers = (): List => JSON.parse(readFileSync(path.join(fixtures, "controllers.json"), "utf8"));
const CHECKOUT = "sha256:367da6bd8b93b9256d39a8938971e67a24f43fc0aeab9f4b9fe2ee2b721cce99";
const edited = (): List => {
  const list = controllers();
  const cm = list.items.find((i) => (i.metadata as { name: string }).name === "checkout-config") as { data: Record<string, string> };
  cm.data["checkout.yaml"] = "currency: EUR\npaymentTimeoutSeconds: 60\nretries: 3\n";
  return list;
};
const deployment = {
  id: "d-checkout",
  type: "deployment",
  occurredAt: "2024-06-14T08:10:00Z",
  service: "checkout",
  environment: "production",
  imageRef: `ghcr.io/acme/checkout@${CHECKOUT}`,
  digest: CHECKOUT,
  actorType: "pipeline",
  changeType: "normal",
  status: "success",
};
const podsOnly = {
  id: "snap-pods",
  type: "snapshot",
  occurredAt: "2024-06-15T07:00:00Z",
  environment: "production",
  workloads: [{ namespace: "shop", kind: "Deployment", name: "checkout", service: "checkout", containers: [{ name: "checkout", image: `ghcr.io/acme/checkout@${CHECKOUT}`, digest: CHECKOUT }] }],
};
const snapshots = [
  podsOnly,
  clusterSnapshot(controllers(), { environment: "production", id: "snap-c1", observedAt: "2024-06-15T08:00:00Z" }),
  clusterSnapshot(edited(), { environment: "production", id: "snap-c2", observedAt: "2024-06-16T10:00:00Z" }),
];

type Row = { subject_key: string; status: string; configs: { kind: string; name: string; changed: boolean; baselineSnapshot: { externalId: string } | null }[] };
const configFindings = (h: DatabaseHandle) =>
  queryRows<Row>(h.db, sql`select subject_key, status, evidence->'configs' as configs from findings where rule_id = 'drift.config-changed' order by subject_key, id`);

const both = judgedBothWaysInFile([deployment], snapshots);

describe("the configuration baseline of a controller", () => {
  it("skips a snapshot without configuration after the deployment and takes the first one with it", async () => {
    const rows = await configFindings(both.one);
    expect(rows.map((r) => r.subject_key)).toEqual(["production/shop/Deployment/checkout:controller"]);
    expect(rows[0]?.status).toBe("open");
    expect(rows[0]?.configs.map((c) => `${c.kind}/${c.name}:${c.changed}:${c.baselineSnapshot?.externalId}`)).toEqual([
      "ConfigMap/checkout-config:true:snap-c1",
      "Secret/checkout-db:false:snap-c1",
    ]);
  });

  it("comes out the same when the three snapshots are judged as one group", async () => {
    expect(await configFindings(both.grouped)).toEqual(await configFindings(both.one));
  });
});
