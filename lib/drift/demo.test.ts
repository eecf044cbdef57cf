import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings, type Finding } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { demoScenarios } from "../demo";
import { loadDemo } from "../demo/load";
import { rulesOfKind } from "../policy";

let h: DatabaseHandle;
let all: Finding[];
beforeAll(async () => {
  h = await createTestDatabase();
  await loadDemo(h.db);
  all = (await h.db.select().from(findings)).filter((f) => f.ruleId.startsWith("drift."));
}, 240_000);
afterAll(async () => {
  await h?.close();
});

const open = () => all.filter((f) => f.status === "open");

describe("drift in the demo data tells the truth", () => {
  it("has at least one open finding for every drift rule of the catalogue", () => {
    const missing = rulesOfKind("drift").filter((r) => !open().some((f) => f.ruleId === r.id)).map((r) => r.id);
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
  });

  it("keeps one finding for drift seen in consecutive daily snapshots", () => {
    const hotPatch = all.filter((f) => f.ruleId === "drift.unrecorded-digest" && f.service === "inventory");
    expect(hotPatch).toHaveLength(1);
    const [f] = hotPatch;
    expect(f && f.lastSeenAt.getTime() - f.openedAt.getTime()).toBeGreaterThanOrEqual(24 * 3600 * 1000);
  });
});
