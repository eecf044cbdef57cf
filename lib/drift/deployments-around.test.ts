import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { deploymentJson, deploymentsAround, type AroundAsk, type DeploymentJson } from "./deployments-around";

/**
 * deploymentsAround answers many asks from one read per (environment, service); it must give what
 * two `limit 1` probes per ask give: the last successful deployment at or before the instant and
 * the first after it, ties at one instant broken by id, microseconds kept (a deployment 0.5 ms after
 * an instant given in milliseconds is after it), failed deployments and other services ignored.
 */
let h: DatabaseHandle;
const times = [
  "2026-03-01T10:00:00.000000Z",
  "2026-03-01T10:00:00.000000Z", // the same instant: the later id is the last, the earlier the next
  "2026-03-01T10:00:00.000500Z",
  "2026-03-01T11:00:00.000000Z",
  "2026-03-02T09:30:00.250000Z",
  "2026-03-05T00:00:00.000000Z",
];
beforeAll(async () => {
  h = await createTestDatabase();
  let n = 0;
  const add = (service: string, environment: string, at: string, status = "success") =>
    h.db.execute(sql`insert into deployments (external_id, service, environment, image_ref, status, deployed_at, source_updated_at)
      values (${`d-${++n}`}, ${service}, ${environment}, ${`ghcr.io/acme/${service}:${n}`}, ${status}, ${at}::timestamptz, ${at}::timestamptz)`);
  for (const at of times) await add("api", "production", at);
  await add("api", "production", "2026-03-01T10:30:00Z", "failure");
  await add("api", "staging", "2026-03-01T10:15:00Z");
  await add("web", "production", "2026-03-01T10:45:00Z");
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function probe(a: AroundAsk): Promise<{ last: string | null; next: string | null }> {
  const same = sql`d.service = ${a.service} and d.environment = ${a.environment} and d.status = 'success'`;
  const [r] = await queryRows<{ last: DeploymentJson | null; next: DeploymentJson | null }>(
    h.db,
    sql`select (select ${deploymentJson("d")} from deployments d where ${same} and d.deployed_at <= ${a.at.toISOString()}::timestamptz order by d.deployed_at desc, d.id desc limit 1) as last,
               (select ${deploymentJson("d")} from deployments d where ${same} and d.deployed_at > ${a.at.toISOString()}::timestamptz order by d.deployed_at, d.id limit 1) as next`,
  );
  return { last: r?.last?.external_id ?? null, next: r?.next?.external_id ?? null };
}

describe("deploymentsAround", () => {
  it("answers every ask as the two probes do, across one read per environment and service", async () => {
    const instants = [
      "2026-02-28T00:00:00Z",
      "2026-03-01T10:00:00.000Z",
      "2026-03-01T10:00:00.001Z",
      "2026-03-01T10:20:00Z",
      "2026-03-01T11:00:00Z",
      "2026-03-03T00:00:00Z",
      "2026-03-09T00:00:00Z",
    ].map((t) => new Date(t));
    const asks: AroundAsk[] = [
      ...instants.map((at) => ({ environment: "production", service: "api", at })),
      ...instants.map((at) => ({ environment: "staging", service: "api", at })),
      ...instants.map((at) => ({ environment: "production", service: "web", at })),
      { environment: "production", service: "nothing", at: instants[3] as Date },
    ];
    const expected = await Promise.all(asks.map(probe));
    const got = (await deploymentsAround(h.db, asks, true)).map((r) => ({ last: r.last?.external_id ?? null, next: r.next?.external_id ?? null }));
    expect(got).toEqual(expected);
    // The cases that matter, spelled out: the tie at 10:00 (d-2 is last, d-3 the 0.5 ms later one next).
    expect(got[1]).toEqual({ last: "d-2", next: "d-3" });
    expect(got[2]).toEqual({ last: "d-3", next: "d-4" });
    // The failed deployment at 10:30 is neither.
    expect(got[3]).toEqual({ last: "d-3", next: "d-4" });
    expect(got.at(-1)).toEqual({ last: null, next: null });
    // Without `next` only the last is answered.
    const lastOnly = await deploymentsAround(h.db, asks, false);
    expect(lastOnly.map((r) => r.last?.external_id ?? null)).toEqual(expected.map((e) => e.last));
    expect(lastOnly.every((r) => r.next === null)).toBe(true);
  });
});
