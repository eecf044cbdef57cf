import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, readerBeside, type DatabaseHandle } from "@/db/client";
import { findings, type Finding } from "@/db/schema";
import { demoScenarios } from "../demo";
import { rulesOfKind } from "../policy";
import { gatherSnapshotEvidence } from "./gather";
import { onPostgresRun } from "@/lib/testing/requires";
import { demoDatabase } from "@/lib/testing/demo-database";

let h: DatabaseHandle;
let all: Finding[];
beforeAll(async () => {
  h = await demoDatabase("full");
  all = (await h.db.select().from(findings)).filter((f) => f.ruleId.startsWith("drift."));
}, 240_000);
afterAll(async () => {
  await h?.close();
});

const open = () => all.filter((f) => f.status === "open");

describe("drift in the demo data tells the truth", () => {
  it("has at least one open finding for every drift rule of the catalogue", () => {
    // drift.admission-bypass is recorded when a gate is asked (warn mode, break glass), never from ingested events.
    const fromEvents = rulesOfKind("drift").filter((r) => r.id !== "drift.admission-bypass");
    const missing = fromEvents.filter((r) => !open().some((f) => f.ruleId === r.id)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it("flags each drift scenario's service with the rules the scenario names", () => {
    for (const s of demoScenarios) {
      for (const ruleId of s.ruleIds.filter((r) => r.startsWith("drift."))) {
        expect(open().some((f) => f.ruleId === ruleId && f.service === s.service), `${s.id}: ${ruleId} on ${s.service}`).toBe(true);
      }
    }
  });

  it("leaves services without a drift scenario with no open drift finding", () => {
    const drifting = new Set(demoScenarios.filter((s) => s.ruleIds.some((r) => r.startsWith("drift."))).map((s) => s.service));
    const strays = open().filter((f) => f.service === null || !drifting.has(f.service));
    expect(strays.map((f) => `${f.ruleId} ${f.subjectKey}`)).toEqual([]);
  });

  it("names the person behind the hot patch and the exec, and never flags the staging exec", () => {
    const exec = open().filter((f) => f.ruleId === "drift.exec-into-container");
    expect(exec.map((f) => [f.environment, f.actor, f.service])).toEqual([["production", "erin@acme.com", "inventory"]]);
    const hotPatch = open().find((f) => f.ruleId === "drift.unrecorded-digest" && f.service === "inventory");
    expect(hotPatch?.actor).toBe("erin@acme.com");
    expect(hotPatch?.subjectKey).toBe("production/shop/Deployment/inventory/inventory");
    const config = open().find((f) => f.ruleId === "drift.config-changed");
    expect(config?.actor).toBe("grace@acme.com");
    const migration = open().filter((f) => f.ruleId === "drift.manual-migration");
    expect(migration.map((f) => [f.subjectKey, f.actor, f.service])).toEqual([[expect.stringMatching(/^production\/database\/accounts\/flyway\/\d\.1$/), "dave", "accounts"]]);
  });

  it("keeps one finding for drift seen in consecutive daily snapshots", () => {
    const hotPatch = all.filter((f) => f.ruleId === "drift.unrecorded-digest" && f.service === "inventory");
    expect(hotPatch).toHaveLength(1);
    const [f] = hotPatch;
    expect(f && f.lastSeenAt.getTime() - f.openedAt.getTime()).toBeGreaterThanOrEqual(24 * 3600 * 1000);
  });
});

describe("a snapshot's evidence", () => {
  // On Postgres the evaluator reads part of it on a second connection; PGlite has one connection.
  it.runIf(onPostgresRun(import.meta.filename, "drift read beside the transaction on a second connection"))("is the same whether part of it is read beside the transaction or all of it inside", async () => {
    const aside = readerBeside(h.db);
    expect(aside).not.toBeNull();
    const snapshots = await queryRows<{ id: string | number; external_id: string; environment: string; observed_at: Date | string; is_production: boolean }>(
      h.db,
      sql`select s.id, s.external_id, s.environment, s.observed_at, e.is_production from snapshots s join environments e on e.name = s.environment order by s.id`,
    );
    expect(snapshots.length).toBeGreaterThan(3);
    let baselines = 0;
    for (const s of snapshots) {
      const snap = { id: Number(s.id), externalId: s.external_id, environment: s.environment, observedAt: new Date(s.observed_at), isProduction: s.is_production };
      const [inside, beside] = await h.db.transaction(async (tx) => [
        await gatherSnapshotEvidence(tx, snap, null, 3, null),
        await gatherSnapshotEvidence(tx, snap, null, 3, aside),
      ]);
      expect(beside).toEqual(inside);
      baselines += inside.filter((i) => i.recorded.configBaseline !== null).length;
    }
    // The comparison covers config baselines, builds and last deployments, not only empty evidence.
    expect(baselines).toBeGreaterThan(0);
  });
});
