import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { evaluationSettled } from "./queue";

let inOrder: DatabaseHandle;
let shuffled: DatabaseHandle;
beforeAll(async () => {
  [inOrder, shuffled] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([inOrder.close(), shuffled.close()]);
});

const events = [
  change({ key: "a" }),
  change({ key: "b", selfApproval: true, productionAt: 2000 }),
  change({ key: "c", skipStaging: true, productionAt: 4000 }),
  change({ key: "d", approvalAt: 300, backup: false, productionAt: 6000 }),
].flatMap((c) => c.events);

/** Row ids differ between databases; everything else a check result says must be identical. */
function withoutIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutIds);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([k, x]) => !((k === "id" || k.endsWith("Id")) && typeof x === "number")).map(([k, x]) => [k, withoutIds(x)]));
  }
  return v;
}

async function results(h: DatabaseHandle) {
  const rows = await queryRows<{ key: string; rule_id: string; result: string; evidence: unknown; policy_version: string }>(
    h.db,
    sql`select d.external_id as key, c.rule_id, c.result, c.evidence, c.policy_version
        from check_results c join deployments d on d.id = c.deployment_id order by 1, 2`,
  );
  return rows.map((r) => ({ ...r, evidence: withoutIds(r.evidence) }));
}

async function ingest(h: DatabaseHandle, batch: unknown[]) {
  const body = { events: batch };
  await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
}

describe("arrival order", () => {
  it("gives identical check results whether evidence arrives in order or shuffled in small batches", async () => {
    await ingest(inOrder, events);
    let seed = 20260314;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const copy = [...events];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
    }
    for (let i = 0; i < copy.length; i += 7) await ingest(shuffled, copy.slice(i, i + 7));
    const a = await results(inOrder);
    expect(a.length).toBeGreaterThan(60);
    expect(await results(shuffled)).toEqual(a);
  }, 120_000);
});
