import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database, type DatabaseHandle } from "@/db/client";
import { deployments } from "@/db/schema";
import { lockRollupDays, rebuildCheckRollups, refreshDeploymentRollups } from "@/lib/evaluation/rollups";
import { openIncident } from "@/lib/incidents/open";
import { demoDatabase } from "@/lib/testing/demo-database";
import { doraFigures } from "./dora";
import { parsePeriod, type Period } from "./period";

let handle: DatabaseHandle;
let db: Database;

beforeAll(async () => {
  handle = await demoDatabase("full");
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});

/**
 * The change-failure rate computed from every production deployment and incident, as the
 * dashboard did before the roll-ups: each deployment's next one of its service (any time later),
 * failed when not successful, rolled back by the next, or followed by a production incident before
 * the next (within 7 days when none).
 */
async function rawFailures(p: Period): Promise<{ attempts: number; failed: number }> {
  const [row] = await queryRows<{ attempts: string | number; failed: string | number }>(
    db,
    sql`with prod as (
          select d.status, d.deployed_at, lead(d.deployed_at) over w as next_at, lead(d.change_type) over w as next_type
          from deployments d join environments e on e.name = d.environment and e.is_production
          window w as (partition by d.environment, d.service order by d.deployed_at, d.id))
        select count(*) as attempts,
          count(*) filter (where status <> 'success' or next_type = 'rollback' or exists (
            select 1 from incidents i join environments ie on ie.name = i.environment and ie.is_production
            where i.opened_at >= prod.deployed_at and i.opened_at < coalesce(prod.next_at, prod.deployed_at + interval '7 days'))) as failed
        from prod where deployed_at >= ${p.from} and deployed_at < ${p.to}`,
  );
  return { attempts: Number(row?.attempts ?? 0), failed: Number(row?.failed ?? 0) };
}

const periods = () => [parsePeriod("2026-08-01", "2026-11-30"), parsePeriod("2026-10-01", "2026-10-31"), parsePeriod("2026-11-10", "2026-11-27")];

async function expectRollupsEqualRaw(): Promise<number> {
  let failed = 0;
  for (const p of periods()) {
    const raw = await rawFailures(p);
    const dora = await doraFigures(db, p);
    expect(raw.attempts).toBeGreaterThan(0);
    expect(dora.failedChanges).toBe(raw.failed);
    expect(dora.changeFailureRate).toBe(Math.round((raw.failed / raw.attempts) * 1000) / 10);
    failed += raw.failed;
  }
  // Rebuilt from the deployments and incidents, the roll-ups are what was kept as they arrived.
  const kept = await queryRows(db, sql`select * from deployment_rollups_daily order by day, environment`);
  await rebuildCheckRollups(db);
  expect(await queryRows(db, sql`select * from deployment_rollups_daily order by day, environment`)).toEqual(kept);
  return failed;
}

describe("change-failure rate from the daily roll-ups", () => {
  it("equals the raw computation on the demo history as the evaluator kept it", async () => {
    await expectRollupsEqualRaw();
  });

  it("recounts the predecessor's day when a rollback deployment arrives after it", async () => {
    const before = await rawFailures(parsePeriod("2026-08-01", "2026-11-30"));
    const [last] = await queryRows<{ service: string; deployed_at: Date | string; status: string }>(
      db,
      sql`select service, deployed_at, status from deployments where environment = 'production' and status = 'success'
          and deployed_at < '2026-11-01' order by deployed_at desc limit 1`,
    );
    if (last === undefined) throw new Error("the demo history has no production deployment before November");
    // A rollback of that service a minute later becomes its next deployment (the demo has no incident yet).
    const at = new Date(new Date(last.deployed_at).getTime() + 60_000);
    const [row] = await db
      .insert(deployments)
      .values({ externalId: "rollback-test", service: last.service, environment: "production", imageRef: "ghcr.io/acme/x:rollback", changeType: "rollback", status: "success", deployedAt: at, sourceUpdatedAt: at })
      .returning({ id: deployments.id });
    if (row === undefined) throw new Error("insert returned no row");
    await db.transaction(async (tx) => {
      await lockRollupDays(tx, [row.id]);
      await refreshDeploymentRollups(tx, [row.id]);
    });
    const after = await rawFailures(parsePeriod("2026-08-01", "2026-11-30"));
    expect(after.failed).toBe(before.failed + 1);
    await expectRollupsEqualRaw();
  });

  it("stays equal when incidents are opened inside the windows of deployments already counted", async () => {
    const before = await expectRollupsEqualRaw();
    const by = { actor: "maya", actorType: "user" as const };
    await openIncident(db, by, { owner: "maya", environment: "production", title: "Checkout down", findingIds: [] }, new Date("2026-11-20T12:00:00Z"));
    await openIncident(db, by, { owner: "maya", environment: "production", title: "Payments down", findingIds: [] }, new Date("2026-10-15T03:00:00Z"));
    const after = await expectRollupsEqualRaw();
    expect(after).toBeGreaterThan(before);
  });
});
