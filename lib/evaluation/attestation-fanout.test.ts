import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { emptyTouched, mergeTouchedJson } from "../projections/touched";
import { ingestEvents } from "../ingest/events-api";
import { affectedDeployments } from "./gates";
import { evaluationSettled, setEvaluationMode } from "./queue";

/**
 * A service-level attestation (backup verification, network check, rollback test) decides a
 * service's deployments from its time up to the next attestation of its type for the same service
 * and environment. When one arrives, those deployments, and no others, are judged again.
 */
let h: DatabaseHandle;
const at = (hour: number) => new Date(Date.UTC(2026, 10, 2, hour)).toISOString();
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const deployment = (id: string, service: string, environment: string, hour: number) => ({
  id,
  type: "deployment",
  occurredAt: at(hour),
  service,
  environment,
  imageRef: `ghcr.io/acme/${service}@${digest(hour)}`,
  digest: digest(hour),
});
const backup = (id: string, service: string, environment: string | undefined, hour: number, type = "backup-verification") => ({
  id,
  type: "attestation",
  occurredAt: at(hour),
  attestationType: type,
  subject: service,
  service,
  ...(environment ? { environment } : {}),
  result: "pass",
});

async function send(events: unknown[]): Promise<void> {
  const body = { events };
  await ingestEvents(h.db, body, JSON.stringify(body));
}

/** The external ids of the deployments a batch of `events` makes Custody judge again for its service-level attestations. */
async function affectedBy(events: unknown[]): Promise<string[]> {
  setEvaluationMode(h.db, "external");
  await send(events);
  setEvaluationMode(h.db, "inline");
  const rows = await queryRows<{ id: number | string; touched: Record<string, unknown> }>(h.db, sql`select id, touched from evaluation_queue order by id`);
  const touched = emptyTouched();
  for (const r of rows) mergeTouchedJson(touched, r.touched);
  touched.queued = rows.map((r) => Number(r.id));
  const ids = await affectedDeployments(h.db, touched, { retainedImages: 10 });
  await evaluationSettled(h.db);
  if (ids.length === 0) return [];
  const named = await queryRows<{ external_id: string }>(h.db, sql`select external_id from deployments where id = any(${sql.param(ids)}::bigint[]) order by external_id`);
  return named.map((r) => r.external_id);
}

beforeAll(async () => {
  h = await createTestDatabase();
  // checkout in production at 01:00, 03:00, 05:00 and 07:00; in staging at 03:00; billing in production at 03:00.
  await send([
    deployment("co-prod-1", "checkout", "production", 1),
    deployment("co-prod-3", "checkout", "production", 3),
    deployment("co-prod-5", "checkout", "production", 5),
    deployment("co-prod-7", "checkout", "production", 7),
    deployment("co-stg-3", "checkout", "staging", 3),
    deployment("bi-prod-3", "billing", "production", 3),
    // Backups verified in production at 00:00 and 04:00, a network check at 06:00.
    backup("bk-0", "checkout", "production", 0),
    backup("bk-4", "checkout", "production", 4),
    backup("net-6", "checkout", "production", 6, "network-check"),
  ]);
  await evaluationSettled(h.db);
});
afterAll(async () => h?.close());

describe("deployments judged again when a service-level attestation arrives", () => {
  it("are its service's deployments in its environment from its time up to the next of its type", async () => {
    // 02:00 falls between the backups of 00:00 and 04:00: only the 03:00 production deployment.
    expect(await affectedBy([backup("bk-2", "checkout", "production", 2)])).toEqual(["co-prod-3"]);
  });

  it("run to the end when it is the newest of its type, whatever other types came between", async () => {
    expect(await affectedBy([backup("bk-4b", "checkout", "production", 4)])).toEqual(["co-prod-5", "co-prod-7"]);
    expect(await affectedBy([backup("bk-8", "checkout", "production", 8)])).toEqual([]);
  });

  it("without an environment reach every environment of the service, up to the next without one", async () => {
    expect(await affectedBy([backup("bk-any-2", "checkout", undefined, 2), backup("bk-any-6", "checkout", undefined, 6)])).toEqual([
      "co-prod-3",
      "co-prod-5",
      "co-prod-7",
      "co-stg-3",
    ]);
  });

  it("do not reach another service, or deployments before it", async () => {
    expect(await affectedBy([backup("bk-bi-5", "billing", "production", 5)])).toEqual([]);
    expect(await affectedBy([backup("bk-bi-1", "billing", "production", 1)])).toEqual(["bi-prod-3"]);
  });
});
