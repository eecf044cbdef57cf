import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database, type DatabaseHandle } from "@/db/client";
import { findings, incidents } from "@/db/schema";
import { doraFigures } from "@/lib/dashboard/dora";
import { listIncidents } from "@/lib/dashboard/incidents";
import { parsePeriod } from "@/lib/dashboard/period";
import { AppError } from "@/lib/errors";
import { environmentStateAt } from "@/lib/evidence/state";
import { incidentRows } from "@/lib/reports/registers";
import { incidentDetail } from "./detail";
import { addStep, closeIncident, updateIncident } from "./edit";
import { openIncident } from "./open";
import { redeploy } from "./test-support";
import { demoDatabase } from "@/lib/testing/demo-database";

let handle: DatabaseHandle;
let db: Database;
let hotPatch: { id: number; openedAt: Date };
let incidentId: number;
const maya = { actor: "manager@custody.demo", actorType: "user" as const, ip: "10.0.0.7" };
const opened = new Date("2026-11-27T13:00:00Z");
const auditActions = async (id: number) =>
  (await queryRows<{ action: string }>(db, sql`select action from audit_log where target = ${`incident:${id}`} order by seq`)).map((r) => r.action);
const refusal = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(() => null, (error: unknown) => error);
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
};

beforeAll(async () => {
  handle = await demoDatabase("full");
  db = handle.db;
  const [f] = await db.select().from(findings).where(and(eq(findings.ruleId, "drift.unrecorded-digest"), eq(findings.service, "inventory"), eq(findings.status, "open")));
  if (!f) throw new Error("the demo's hot patch finding is missing");
  hotPatch = { id: f.id, openedAt: f.openedAt };
}, 600_000);
afterAll(async () => {
  await handle.close();
});

describe("opening an incident from the hot patch", () => {
  it("captures production as it ran, with the hot-patched digest, and what changed before", async () => {
    incidentId = (await openIncident(db, maya, { owner: "maya@acme.com", findingIds: [hotPatch.id] }, opened)).id;
    const d = await incidentDetail(db, incidentId, opened);
    expect(d).toMatchObject({ status: "open", environment: "production", owner: "maya@acme.com", openedBy: maya.actor });
    expect(d.title).toContain("inventory");
    const inventory = (d.capturedState.workloads as { service: string; observed: { digest: string | null }[]; digest: string | null }[]).find((w) => w.service === "inventory");
    const [running] = await queryRows<{ digest: string }>(db, sql`select w.digest from snapshot_workloads w join snapshots s on s.id = w.snapshot_id
      where s.environment = 'production' and w.service = 'inventory' order by s.observed_at desc limit 1`);
    expect(inventory?.observed[0]?.digest).toBe(running?.digest);
    expect(inventory?.observed[0]?.digest).not.toBe(inventory?.digest);
    expect(d.changesBefore.events.some((e) => e.kind === "cluster-audit" && e.actor === "erin@acme.com" && e.summary.startsWith("create pods/exec"))).toBe(true);
    expect(d.changesBefore.events.some((e) => e.kind === "finding" && e.ref === `finding:${hotPatch.id}`)).toBe(true);
    expect(d.restore.failureStartedAt).toBe(hotPatch.openedAt.toISOString());
    expect(d.closeBlockers).toHaveLength(5 + 1 + 1 + 2);
    expect(await auditActions(incidentId)).toEqual(["incident.open"]);
  });

  it("refuses a second incident for the same drift, non-drift findings, and no environment", async () => {
    expect((await refusal(openIncident(db, maya, { owner: "x", findingIds: [hotPatch.id] }))).message).toContain(`already linked to open incident ${incidentId}`);
    const [gate] = await db.select().from(findings).where(eq(findings.ruleId, "merge.independent-approval")).limit(1);
    expect((await refusal(openIncident(db, maya, { owner: "x", findingIds: [gate?.id ?? 0] }))).message).toContain("drift findings");
    expect((await refusal(openIncident(db, maya, { owner: "x", findingIds: [] }))).message).toBe("environment: required when the incident is opened without findings");
    expect(await db.$count(incidents)).toBe(1);
  });

  it("keeps the captured state when a later production deployment is ingested", async () => {
    const before = (await incidentDetail(db, incidentId)).capturedState;
    const fix = await redeploy(db, { service: "inventory", environment: "production", at: new Date("2026-11-27T14:00:00Z"), tag: "a1" });
    expect((await incidentDetail(db, incidentId)).capturedState).toEqual(before);
    const now = await environmentStateAt(db, "production", new Date("2026-11-27T15:00:00Z"));
    expect(now.workloads.find((w) => w.service === "inventory")?.digest).toBe(fix.digest);
  });
});

describe("working the incident", () => {
  it("refuses a fix deployment made by hand, naming why, and saves nothing", async () => {
    const manual = await redeploy(db, { service: "inventory", environment: "production", at: new Date("2026-11-27T14:30:00Z"), tag: "b2", human: true });
    const e = await refusal(updateIncident(db, maya, incidentId, { fixDeploymentKey: manual.deploymentKey, rootCause: "saved?" }));
    expect(e.code).toBe("VALIDATION");
    expect(e.message).toContain("deployed by a human (erin-s), not the pipeline");
    expect(e.message).toContain("names no pipeline run");
    const d = await incidentDetail(db, incidentId);
    expect([d.fixDeploymentKey, d.rootCause]).toEqual([null, null]);
    expect(await auditActions(incidentId)).toEqual(["incident.open"]);
  });

  it("refuses to close with a step missing, naming it, and stays open", async () => {
    for (const step of ["identify", "fix", "document", "root-cause"]) {
      await addStep(db, maya, incidentId, { step, notes: `did ${step}`, evidence: { link: `https://tickets.example/INC-7/${step}` } });
    }
    const e = await refusal(closeIncident(db, maya, incidentId));
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toContain('step "corrective-action" (Fix the process gap) is not recorded');
    expect(e.message).not.toContain('step "identify"');
    expect(e.message).toContain("no fix deployment is linked");
    expect(e.message).toContain("the root cause is not recorded");
    expect((await incidentDetail(db, incidentId)).status).toBe("open");
  });

  it("closes once the pipeline fix is linked, the drift resolved, and every step written down", async () => {
    const d0 = await incidentDetail(db, incidentId);
    const fix = d0.fixCandidates.find((c) => c.externalId === "fix-a1-deploy");
    expect(fix).toMatchObject({ actorType: "pipeline", runRecorded: true, service: "inventory" });
    expect(d0.fixCandidates.some((c) => c.actorType !== "pipeline")).toBe(false);
    await updateIncident(db, maya, incidentId, {
      fixDeploymentKey: "fix-a1-deploy",
      rootCause: "A production kubectl context on Erin's laptop allowed patching deployments directly.",
      correctiveAction: "Removed human write access to production; only the deploy pipeline's service account may patch.",
    });
    await addStep(db, maya, incidentId, { step: "corrective-action", notes: "RBAC change merged in acme/platform#412" });
    const [f] = await db.select().from(findings).where(eq(findings.id, hotPatch.id));
    expect(f?.status).toBe("resolved");
    const closedAt = new Date("2026-11-27T16:00:00Z");
    await closeIncident(db, maya, incidentId, closedAt);

    const d = await incidentDetail(db, incidentId);
    expect(d).toMatchObject({ status: "closed", closedAt: closedAt.toISOString(), fixDeploymentKey: "fix-a1-deploy", closeBlockers: [] });
    expect(d.restore.hours).toBe(3);
    const sinceFailure = Math.round(((closedAt.getTime() - hotPatch.openedAt.getTime()) / 3_600_000) * 10) / 10;
    expect(d.restore.sinceFailureHours).toBe(sinceFailure);
    expect(d.timeline.map((t) => t.what)).toEqual(expect.arrayContaining(["Incident opened; environment state captured", "Step fix recorded", "Incident closed"]));
    expect(await auditActions(incidentId)).toEqual(["incident.open", ...Array(4).fill("incident.step"), "incident.update", "incident.step", "incident.close"]);

    expect((await listIncidents(db, { status: "closed" })).items.map((i) => [i.id, i.durationHours])).toEqual([[incidentId, 3]]);
    const dora = await doraFigures(db, parsePeriod("2026-11-01", "2026-11-30"));
    expect([dora.incidentsClosed, dora.timeToRestoreHours]).toEqual([1, sinceFailure]);
    const rows = await incidentRows(db, { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z"), environments: [], services: [], framework: "iso27001" });
    expect(rows.find((r) => r[0] === String(incidentId))).toEqual(expect.arrayContaining(["closed", "fix-a1-deploy", "drift.unrecorded-digest production/shop/Deployment/inventory/inventory"]));
    expect(rows.find((r) => r[0] === String(incidentId))?.at(-1)).toBe(
      "5.24 Incident management planning; 5.25 Assessing security events; 5.26 Responding to incidents; 5.27 Learning from incidents; 5.28 Collecting evidence",
    );
    const soc2 = await incidentRows(db, { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z"), environments: ["production"], services: [], framework: "soc2" });
    expect(soc2.find((r) => r[0] === String(incidentId))?.at(-1)).toMatch(/^CC7\.3 .+; CC7\.4 .+; CC7\.5 /);
  });

  it("refuses edits once closed", async () => {
    expect((await refusal(updateIncident(db, maya, incidentId, { owner: "someone" }))).code).toBe("CONFLICT");
    expect((await refusal(addStep(db, maya, incidentId, { step: "document", notes: "late" }))).code).toBe("CONFLICT");
  });
});
