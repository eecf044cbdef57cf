import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { instanceMeta } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { demoEngagementPeriods } from "./engagements";
import { DEMO_DEFAULT_END, generateDemoEvents } from "./generate";
import { demoEnd } from "./load";

/**
 * A trial started today shows a cluster observed today: the demo history ends at the minute it is
 * first loaded (or at CUSTODY_DEMO_END), keeps that end once loaded, and the demo engagements'
 * periods follow it. The tests' fixed history (DEMO_DEFAULT_END) keeps its known periods.
 */
let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  delete process.env.CUSTODY_DEMO_END;
});

describe("where the demo history ends", () => {
  it("is the current minute for a new trial, and the history's newest snapshots are taken then", async () => {
    const before = Date.now();
    const end = await demoEnd(h.db);
    expect(end.getTime() % 60_000).toBe(0);
    expect(end.getTime()).toBeGreaterThan(before - 60_000);
    expect(end.getTime()).toBeLessThanOrEqual(Date.now());
    const events = generateDemoEvents({ end });
    const production = events.filter((e) => e.type === "snapshot" && e.environment === "production").at(-1);
    expect(production?.occurredAt).toBe(end.toISOString());
    expect(events.every((e) => Date.parse(e.occurredAt) <= end.getTime())).toBe(true);
  });

  it("is CUSTODY_DEMO_END when set, and is refused in the future", async () => {
    process.env.CUSTODY_DEMO_END = "2026-11-27T12:00:00Z";
    expect((await demoEnd(h.db)).toISOString()).toBe(DEMO_DEFAULT_END);
    await expect(demoEnd(h.db, new Date(Date.now() + 3_600_000))).rejects.toThrow(/cannot end in the future/);
  });

  it("stays what it was when the demo was loaded, so loading again stores nothing new", async () => {
    await h.db.insert(instanceMeta).values({ key: "demo_loaded_at", value: { at: "2026-12-01T08:00:00Z", events: 1, end: "2026-12-01T08:00:00.000Z" } });
    expect((await demoEnd(h.db)).toISOString()).toBe("2026-12-01T08:00:00.000Z");
    // A demo loaded by a version that did not record its end had the fixed one.
    await h.db.update(instanceMeta).set({ value: { at: "2026-12-01T08:00:00Z", events: 1 } });
    expect((await demoEnd(h.db)).toISOString()).toBe(DEMO_DEFAULT_END);
  });
});

describe("the demo engagements' periods", () => {
  it("are September 2026 (Q3) and 2026-10-01 to 2026-11-28 for the fixed history", () => {
    const p = demoEngagementPeriods(new Date(DEMO_DEFAULT_END));
    expect(p.closed).toEqual({ from: new Date("2026-09-01T00:00:00Z"), to: new Date("2026-10-01T00:00:00Z"), quarter: "Q3 2026" });
    expect(p.open).toEqual({ from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-11-28T00:00:00Z"), year: 2026 });
    expect(p.policyApproved).toBe("2026-06-12");
  });

  it("follow a later end across a year, inside the 90 days of history", () => {
    const end = new Date("2027-01-15T09:30:00Z");
    const p = demoEngagementPeriods(end);
    expect(p.closed).toEqual({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z"), quarter: "Q4 2026" });
    expect(p.open).toEqual({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2027-01-16T00:00:00Z"), year: 2026 });
    expect(p.closed.from.getTime()).toBeGreaterThan(end.getTime() - 90 * 86_400_000);
  });
});
