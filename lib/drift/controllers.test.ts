import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings, ledgerEvents, snapshotConfigs } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import type { CustodyEvent } from "../events/schema";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { clusterSnapshot, parseAuditLog } from "../ingest/kubernetes";
import { rebuildProjections } from "../ingest/replay";

const fixtures = path.join(__dirname, "..", "ingest", "kubernetes", "fixtures");
type List = { kind: string; items: Record<string, unknown>[] };
const controllers = (): List => JSON.parse(readFileSync(path.join(fixtures, "controllers.json"), "utf8"));
const auditLog = readFileSync(path.join(fixtures, "audit.log"), "utf8");
const CHECKOUT = "sha256:367da6bd8b93b9256d39a8938971e67a24f43fc0aeab9f4b9fe2ee2b721cce99";
const ORDERS = `sha256:${"ab".repeat(32)}`;
const RULES = ["drift.manual-apply", "drift.config-changed", "drift.unrecorded-workload"];
const S = {
  orders: "production/shop/Deployment/orders-api:controller",
  checkout: "production/shop/Deployment/checkout:controller",
  redis: "production/shop/StatefulSet/redis:controller",
  report: "production/shop/CronJob/nightly-report:controller",
  proxy: "production/kube-system/DaemonSet/kube-proxy:controller",
};

let h: DatabaseHandle;
const send = async (body: unknown) => {
  const r = await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
  return r;
};
const snapshot = (id: string, observedAt: string, list: List = controllers()) => clusterSnapshot(list, { environment: "production", id, observedAt });
const editedConfig = (): List => {
  const list = controllers();
  const cm = list.items.find((i) => (i.metadata as { name: string }).name === "checkout-config") as { data: Record<string, string> };
  cm.data["checkout.yaml"] = "currency: EUR\npaymentTimeoutSeconds: 60\nretries: 3\n";
  return list;
};
const controllerFindings = async () =>
  (await h.db.select().from(findings).where(inArray(findings.ruleId, RULES))).filter((f) => f.subjectKey.endsWith(":controller"));
const one = async (ruleId: string, subjectKey: string) => h.db.select().from(findings).where(and(eq(findings.ruleId, ruleId), eq(findings.subjectKey, subjectKey)));

function deployment(id: string, service: string, digest: string, occurredAt: string): CustodyEvent {
  return { id, type: "deployment", occurredAt, service, environment: "production", imageRef: `ghcr.io/acme/${service}@${digest}`, digest, actorType: "pipeline", changeType: "normal", status: "success" };
}

beforeAll(async () => {
  h = await createTestDatabase();
  await send({ events: [deployment("d-checkout", "checkout", CHECKOUT, "2024-06-14T08:10:00Z"), deployment("d-orders", "orders", ORDERS, "2024-06-12T16:39:00Z")] });
  await send({ events: parseAuditLog(auditLog, { environment: "production" }) });
  // The snapshot after checkout's deployment records its configuration; bob edits checkout-config at 22:02 the next evening.
  await send(snapshot("snap-c1", "2024-06-15T08:00:00Z"));
  await send(snapshot("snap-c2", "2024-06-16T10:00:00Z", editedConfig()));
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe("drift of controllers, ConfigMaps and Secrets from kubectl get ... -o json", () => {
  it("flags kubectl edit and kubectl set image on a Deployment after its deployment, and names who did it from the audit log", async () => {
    const [f] = await one("drift.manual-apply", S.orders);
    expect(f).toMatchObject({ status: "open", environment: "production", service: "orders", workload: "shop/Deployment/orders-api", actor: "alice@acme.com" });
    expect(f?.summary).toContain("kubectl-edit (Update at 2024-06-15T09:12:44.000Z)");
    expect(f?.evidence).toMatchObject({ managers: [{ manager: "kubectl-edit" }, { manager: "kubectl-set" }], attributedTo: { actor: "alice@acme.com" } });
    // The pipeline's own client-side apply at deployment time is not a person's change.
    expect(await one("drift.manual-apply", S.checkout)).toEqual([]);
  });

  it("flags a ConfigMap edited in place, read by a Deployment, against the hash at its last deployment, naming the editor", async () => {
    const [f] = await one("drift.config-changed", S.checkout);
    expect(f).toMatchObject({ status: "open", service: "checkout", actor: "bob@acme.com" });
    const configs = (f?.evidence as { configs: { kind: string; name: string; changed: boolean; deployedHash: string }[] }).configs;
    expect(configs.map((c) => `${c.kind}/${c.name}:${c.changed}`)).toEqual(["ConfigMap/checkout-config:true", "Secret/checkout-db:false"]);
    expect(f?.evidence).toMatchObject({ configs: [{ baselineSnapshot: { externalId: "snap-c1" } }, {}] });
  });

  it("flags controllers no deployment created, in enforced namespaces only", async () => {
    const open = (await controllerFindings()).filter((f) => f.ruleId === "drift.unrecorded-workload").map((f) => f.subjectKey).sort();
    expect(open).toEqual([S.report, S.redis]);
    // The CronJob was written by a server-side `kubectl apply` (manager kubectl, operation Apply) that no deployment explains.
    expect((await one("drift.manual-apply", S.report))[0]?.summary).toContain("kubectl (Apply at 2024-06-11T07:00:12.000Z), which has no recorded deployment");
  });

  it("keeps one finding per drift across later snapshots, and moves its lastSeenAt", async () => {
    const before = (await controllerFindings()).map((f) => `${f.ruleId} ${f.subjectKey}`).sort();
    await send(snapshot("snap-c3", "2024-06-16T11:00:00Z", editedConfig()));
    const after = await controllerFindings();
    expect(after.map((f) => `${f.ruleId} ${f.subjectKey}`).sort()).toEqual(before);
    expect(after.find((f) => f.subjectKey === S.checkout)?.lastSeenAt.toISOString()).toBe("2024-06-16T11:00:00.000Z");
    expect(after.find((f) => f.subjectKey === S.checkout)?.openedAt.toISOString()).toBe("2024-06-16T10:00:00.000Z");
  });

  it("resolves when a pipeline deployment replaces the drifted controller", async () => {
    await send(deployment("d-checkout-2", "checkout", CHECKOUT, "2024-06-16T12:00:00Z"));
    const [f] = await one("drift.config-changed", S.checkout);
    expect(f).toMatchObject({ status: "resolved" });
    expect(f?.resolution).toContain("Replaced by the pipeline's deployment d-checkout-2");
    expect(f?.resolvedAt?.toISOString()).toBe("2024-06-16T12:00:00.000Z");
    // The next snapshot's configuration is the new baseline: nothing reopens.
    await send(snapshot("snap-c4", "2024-06-16T12:30:00Z", editedConfig()));
    expect((await one("drift.config-changed", S.checkout)).map((x) => x.status)).toEqual(["resolved"]);
  });

  it("resolves when a later snapshot no longer shows the controller", async () => {
    const list = editedConfig();
    list.items = list.items.filter((i) => (i.metadata as { name: string }).name !== "redis");
    await send(snapshot("snap-c5", "2024-06-16T13:00:00Z", list));
    const [f] = await one("drift.unrecorded-workload", S.redis);
    expect(f).toMatchObject({ status: "resolved" });
    expect(f?.resolution).toContain("no longer runs");
    expect((await one("drift.unrecorded-workload", S.report))[0]?.status).toBe("open");
  });

  it("replays the ledger into the same controller findings", async () => {
    const state = async () => (await controllerFindings()).map((f) => `${f.ruleId} ${f.subjectKey} ${f.status} ${f.actor ?? "-"}`).sort();
    const before = await state();
    await rebuildProjections(h.db);
    expect(await state()).toEqual(before);
  });
});

describe("a snapshot carrying Secret values", () => {
  it("is refused with 400 VALIDATION, names where and not what, and stores nothing", async () => {
    const ledgerRows = (await h.db.select({ seq: ledgerEvents.seq }).from(ledgerEvents)).length;
    const configRows = (await h.db.select({ id: snapshotConfigs.id }).from(snapshotConfigs)).length;
    // A hand-made body: the real Secret list piped as it is, not through the CLI.
    const secrets = controllers().items.filter((i) => i.kind === "Secret");
    const event = snapshot("snap-leak", "2024-06-16T14:00:00Z");
    const bodies: unknown[] = [
      { ...event, configs: [{ ...event.configs?.[0], data: (secrets[0] as { data: unknown }).data }] },
      { events: [{ ...event, otherObjects: secrets }] },
    ];
    for (const body of bodies) {
      let error: unknown;
      try {
        await send(body);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: "VALIDATION", message: expect.stringContaining("carries Secret values") });
      expect(String((error as Error).message)).not.toMatch(/Tr0ub4dor|VHIwdWI0/);
    }
    expect((await h.db.select({ seq: ledgerEvents.seq }).from(ledgerEvents)).length).toBe(ledgerRows);
    expect((await h.db.select({ id: snapshotConfigs.id }).from(snapshotConfigs)).length).toBe(configRows);
  });
});
