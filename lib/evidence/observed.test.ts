import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { demoScenarios } from "../demo";
import { traceRef as tracePage } from "../dashboard/trace";
import { observedEnvironments, openFindingTotals, verdictOf } from "./observed";
import { traceRef } from "./trace";
import { demoDatabase } from "@/lib/testing/demo-database";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await demoDatabase("full");
}, 300_000);
afterAll(async () => h?.close());

const hotPatched = demoScenarios.flatMap((s) => (s.kind === "drift" && s.drift === "hot-patch" ? [s.service] : []));

describe("observed state first", () => {
  it("shows the digest production really runs beside the recorded one, and flags exactly the hot-patched workload", async () => {
    expect(hotPatched.length).toBeGreaterThan(0);
    const prod = (await observedEnvironments(h.db)).find((e) => e.isProduction);
    if (!prod) throw new Error("no production environment in the demo");
    expect(prod.snapshot).not.toBeNull();
    expect(prod.snapshot?.ageSeconds).toBeGreaterThan(0);
    const wrong = prod.services.filter((s) => s.verdict !== "matches");
    expect(wrong.map((s) => s.service)).toEqual(hotPatched);
    for (const s of wrong) {
      expect(s.verdict).toBe("drift");
      expect(s.observedDigest).not.toBe(s.recorded?.digest);
      expect(s.openDriftFindings).toBeGreaterThanOrEqual(3);
      expect(s.worstSeverity).toBe("critical");
    }
    expect(prod.wrong).toBe(hotPatched.length);
  });

  it("counts open findings once: environments plus those tied to none add up to every open finding", async () => {
    const totals = await openFindingTotals(h.db);
    const [row] = await queryRows<{ n: number | string }>(h.db, sql`select count(*) as n from findings where status = 'open'`);
    expect(totals.total).toBe(Number(row?.n));
    const envs = await observedEnvironments(h.db);
    expect(envs.reduce((n, e) => n + e.openFindings, 0) + totals.withoutEnvironment).toBe(totals.total);
    for (const e of envs) expect(e.openFindings).toBe(totals.byEnvironment[e.name] ?? 0);
  });

  it("judges a workload by what the snapshot saw", () => {
    const rec = { service: "a", imageRef: "r", digest: "sha256:1", deploymentId: 1, deployedAt: new Date(), actor: null };
    const seen = (digest: string | null) => [{ namespace: "n", kind: "Deployment", name: "a", container: "a", imageRef: "r", digest, lastAppliedBy: null }];
    expect(verdictOf(rec, seen("sha256:1"), true)).toBe("matches");
    expect(verdictOf(rec, seen("sha256:2"), true)).toBe("drift");
    expect(verdictOf(null, seen("sha256:2"), true)).toBe("unrecorded");
    expect(verdictOf(rec, seen(null), true)).toBe("digest-unknown");
    expect(verdictOf(rec, [], true)).toBe("not-observed");
    expect(verdictOf(rec, [], false)).toBe("no-snapshot");
  });
});

describe("tracing what runs", () => {
  it("traces a digest seen only in snapshots to its workload, drift findings, the person and no pipeline chain, on the API and the page alike", async () => {
    const prod = (await observedEnvironments(h.db)).find((e) => e.isProduction);
    const drifted = prod?.services.find((s) => s.service === hotPatched[0]);
    const digest = drifted?.observedDigest;
    if (!digest) throw new Error("no drifted digest");
    const api = await traceRef(h.db, digest);
    expect(api.chains).toEqual([]);
    expect(api.observed?.hasPipelineChain).toBe(false);
    expect(api.observed?.runs[0]).toMatchObject({ environment: "production", name: hotPatched[0], runningNow: true });
    const rules = api.observed?.findings.map((f) => f.ruleId) ?? [];
    expect(rules).toEqual(expect.arrayContaining(["drift.unrecorded-digest", "drift.not-built-by-ci"]));
    // Two findings of one rule (the controller's and a container's) read apart by what they are about.
    const lines = api.observed?.findings.map((f) => `${f.ruleId} ${f.subject} ${f.summary}`) ?? [];
    expect(new Set(lines).size).toBe(lines.length);
    expect(api.observed?.findings.every((f) => f.subject.includes(`/${hotPatched[0]}`))).toBe(true);
    expect(api.observed?.people.some((p) => p.source === "cluster-audit" && /^(create|patch)/.test(p.what))).toBe(true);
    const page = await tracePage(h.db, digest);
    expect(page.matchedAs).toEqual(["digest"]);
    expect(page.observed).toEqual(api.observed);
  });

  it("adds the observed runs to a digest that has a chain", async () => {
    const prod = (await observedEnvironments(h.db)).find((e) => e.isProduction);
    const fine = prod?.services.find((s) => s.verdict === "matches");
    if (!fine?.observedDigest) throw new Error("no matching workload");
    const api = await traceRef(h.db, fine.observedDigest);
    expect(api.chains.length).toBeGreaterThan(0);
    expect(api.observed?.hasPipelineChain).toBe(true);
    expect(api.observed?.runs.some((r) => r.environment === "production" && r.runningNow)).toBe(true);
  });
});
