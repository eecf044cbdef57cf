import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { generateDemoEvents } from "../demo";
import { evaluationSettled, setEvaluationMode } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { setSnapshotGrouping } from "./index";

// The demo history (every drift rule, snapshots of three environments with controllers and
// configuration, audit records, findings that open and later resolve) stored in 500-event batches
// into two databases, queued only; then each queue is judged, one with the snapshots of a group read
// together, one snapshot by snapshot. Every finding and check result must come out the same.
let grouped: DatabaseHandle;
let single: DatabaseHandle;

type DemoEvent = ReturnType<typeof generateDemoEvents>[number];
type Workload = { service?: string; containers: { digest?: string; image: string }[] };

/**
 * Three production snapshots after the history, in one batch: checkout running a digest no pipeline
 * deployed (a finding opens), then back to the recorded one (it resolves), then without inventory's
 * workload and controllers (its findings resolve as gone).
 */
function epilogue(events: DemoEvent[]): DemoEvent[] {
  const last = events.filter((e) => e.type === "snapshot" && e.environment === "production").at(-1) as DemoEvent & { workloads: Workload[]; controllers?: { service?: string }[] };
  const at = (h: number) => new Date(new Date(last.occurredAt).getTime() + h * 3_600_000).toISOString();
  const hotfix = `sha256:${"cd".repeat(32)}`;
  const patched = last.workloads.map((w) =>
    w.service === "checkout" ? { ...w, containers: w.containers.map((c) => ({ ...c, digest: hotfix, image: `ghcr.io/acme/checkout@${hotfix}` })) } : w,
  );
  return [
    { ...last, id: `${last.id}-hotfix`, occurredAt: at(1), workloads: patched },
    { ...last, id: `${last.id}-back`, occurredAt: at(2) },
    {
      ...last,
      id: `${last.id}-gone`,
      occurredAt: at(3),
      workloads: last.workloads.filter((w) => w.service !== "inventory"),
      controllers: (last.controllers ?? []).filter((c) => c.service !== "inventory"),
    },
  ] as DemoEvent[];
}

async function load(h: DatabaseHandle, events: ReturnType<typeof generateDemoEvents>, group: boolean): Promise<void> {
  setEvaluationMode(h.db, "external");
  for (let i = 0; i < events.length; i += 500) {
    const body = { events: events.slice(i, i + 500) };
    await ingestEvents(h.db, body, JSON.stringify(body));
  }
  const after = { events: epilogue(events) };
  await ingestEvents(h.db, after, JSON.stringify(after));
  setEvaluationMode(h.db, "inline");
  setSnapshotGrouping(group);
  try {
    await evaluationSettled(h.db);
  } finally {
    setSnapshotGrouping(true);
  }
}

const findingsOf = (h: DatabaseHandle) =>
  queryRows<Record<string, unknown>>(
    h.db,
    sql`select f.rule_id, f.subject_key, f.status, f.severity, f.environment, f.service, f.workload, f.actor, f.summary, f.evidence::text as evidence,
          f.opened_at, f.last_seen_at, f.resolved_at, f.resolution, f.policy_version, d.external_id as deployment
        from findings f left join deployments d on d.id = f.deployment_id
        order by f.rule_id, f.subject_key, f.opened_at, f.resolved_at nulls last, f.summary`,
  );

const checksOf = (h: DatabaseHandle) =>
  queryRows<Record<string, unknown>>(
    h.db,
    sql`select d.external_id as deployment, c.rule_id, c.result, c.evidence::text as evidence, c.policy_version
        from check_results c join deployments d on d.id = c.deployment_id
        order by d.external_id, c.rule_id`,
  );

beforeAll(async () => {
  const events = generateDemoEvents();
  grouped = await createTestDatabase();
  single = await createTestDatabase();
  await load(grouped, events, true);
  await load(single, events, false);
}, 300_000);
afterAll(async () => {
  await grouped?.close();
  await single?.close();
});

describe("a group of snapshots judged together", () => {
  it("opens and resolves exactly the findings judging them one by one does", async () => {
    const [a, b] = [await findingsOf(grouped), await findingsOf(single)];
    const drift = a.filter((f) => String(f.rule_id).startsWith("drift."));
    // The history is worth comparing: drift of several rules, some of it resolved by a later snapshot.
    expect(new Set(drift.map((f) => f.rule_id)).size).toBeGreaterThan(5);
    expect(drift.some((f) => f.status === "resolved" && String(f.resolution).startsWith("Snapshot "))).toBe(true);
    const hotfix = drift.filter((f) => f.rule_id === "drift.unrecorded-digest" && f.service === "checkout" && String(f.environment) === "production");
    expect(hotfix.some((f) => f.status === "resolved" && String(f.resolution).includes("-back ("))).toBe(true);
    expect(drift.some((f) => f.service === "inventory" && f.status === "resolved" && String(f.resolution).startsWith("The workload no longer runs in production"))).toBe(true);
    expect(drift.some((f) => f.service === "inventory" && f.status === "resolved" && String(f.resolution).startsWith("The controller no longer runs in production"))).toBe(true);
    expect(a).toEqual(b);
  });

  it("records the same check results", async () => {
    const [a, b] = [await checksOf(grouped), await checksOf(single)];
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it("leaves no queue row failed", async () => {
    for (const h of [grouped, single]) {
      const [row] = await queryRows<{ n: string | number }>(h.db, sql`select count(*) as n from evaluation_queue`);
      expect(Number(row?.n)).toBe(0);
    }
  });
});
