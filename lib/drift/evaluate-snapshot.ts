import { and, eq, like, or, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { findings, snapshotControllers } from "@/db/schema";
import { resolveFindingsEach, type FindingInput, type Resolution } from "../findings/store";
import {
  configChanger,
  evaluateContainerDrift,
  rollbackService,
  workloadChanger,
  type Attribution,
  type AuditRecord,
  type DriftOutcome,
  type DriftPolicy,
  type ObservedContainer,
  type RecordedEvidence,
} from "../policy/drift";
import { peopleWritesBetween } from "./audit-records";
import { openFindings } from "../findings/store";
import { gatherSnapshotEvidence, type SnapshotRef, type WorkloadFilter } from "./gather";
import { isControllerSubject, serviceSubject, workloadSubject } from "./subjects";
import { withinMonths } from "../partitions/prune";

type Judged = { observed: ObservedContainer; recorded: RecordedEvidence; outcome: DriftOutcome; subject: string };

const ATTRIBUTED = new Set(["drift.unrecorded-digest", "drift.manual-apply", "drift.mutable-tag", "drift.not-built-by-ci"]);
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Judges the containers of one snapshot (all, or those the filter names), opens a finding per
 * failure and resolves the open ones the snapshot shows compliant. `latest` marks the newest
 * snapshot of its environment: then findings of workloads that no longer run are resolved too.
 * `aside` serves some of the evidence reads on another connection (see gatherSnapshotEvidence).
 */
export async function evaluateSnapshot(
  db: Queryable,
  snap: SnapshotRef,
  filter: WorkloadFilter,
  policy: DriftPolicy,
  latest: boolean,
  aside: Database | null = null,
  sharded = false,
  gathered?: { items: { observed: ObservedContainer; recorded: RecordedEvidence }[]; hasControllers: boolean },
  known?: OpenDriftKnown,
): Promise<{ failed: number; resolved: number }> {
  const items = gathered?.items ?? (await gatherSnapshotEvidence(db, snap, filter, policy.retainedImages, aside));
  const failed = new Map<string, Judged>();
  const passed = new Map<string, Set<string>>();
  for (const { observed, recorded } of items) {
    const workload = workloadSubject(observed);
    for (const outcome of evaluateContainerDrift(observed, recorded, policy)) {
      // rollback-gap is about the service (subjectOf), computed here without building the outcome's evidence.
      const subject = outcome.ruleId === "drift.rollback-gap" ? serviceSubject(rollbackService(observed, recorded)) : workload;
      if (outcome.result === "fail") failed.set(`${outcome.ruleId}\u0000${subject}`, { observed, recorded, outcome, subject });
      else if (outcome.result === "pass") passed.set(outcome.ruleId, (passed.get(outcome.ruleId) ?? new Set()).add(subject));
    }
  }
  const judged = [...failed.values()];
  const audit = await auditFor(db, snap, judged);
  await openFindings(db, judged.map((j) => ({ ...toFinding(j, snap, attribute(j, audit)), policyVersion: policy.version ?? null })));
  for (const j of judged) passed.get(j.outcome.ruleId)?.delete(j.subject);
  const open = known ? await known.of(db, snap.environment) : await openDriftFindings(db, snap.environment);
  known?.opened(snap.environment, judged.map((j) => ({ ruleId: j.outcome.ruleId, subjectKey: j.subject })));
  const at = `${snap.externalId} (${snap.observedAt.toISOString()})`;
  // The passes and the vanished workloads are resolved in one statement: they are distinct findings
  // (a vanished workload is not in the snapshot, a passing one is), so the order between them is moot.
  const resolutions: Resolution[] = [];
  for (const [ruleId, subjects] of passed) {
    for (const k of subjects) if (open.get(ruleId)?.has(k)) resolutions.push({ ruleId, subjectKey: k, at: snap.observedAt, resolution: `Snapshot ${at} shows it compliant again.` });
  }
  // A snapshot of controllers and configuration only (no pods listed) says nothing about containers.
  if (latest && filter === null && (items.length > 0 || !(gathered ? gathered.hasControllers : await controllersOnly(db, snap)))) {
    resolutions.push(...vanished(snap, open, new Set(items.map((i) => workloadSubject(i.observed)))));
  }
  const resolved = await resolveFindingsEach(db, resolutions);
  known?.resolved(snap.environment, resolutions);
  const gaps = passed.get("drift.rollback-gap");
  if (sharded && gaps) await earliestServiceResolution(db, [...gaps], snap.observedAt, `Snapshot ${at} shows it compliant again.`);
  return { failed: judged.length, resolved };
}

/**
 * A rollback gap is about a service, whatever environment shows it, and the environments' snapshots
 * are judged in different evaluation shards, side by side. One evaluator resolves the gap at the
 * earliest snapshot of a batch that shows it closed; sharded, the first shard to resolve it may
 * hold a later one, so each passing snapshot moves the resolution of the service's latest gap
 * back to its own time when earlier (never before the gap opened): the same result in any order.
 */
async function earliestServiceResolution(db: Queryable, subjects: string[], at: Date, resolution: string): Promise<void> {
  if (subjects.length === 0) return;
  await db.execute(sql`update findings f set resolved_at = greatest(f.opened_at, ${at}), resolution = ${resolution}
    where f.rule_id = 'drift.rollback-gap' and f.status = 'resolved' and f.subject_key = any(${sql.param(subjects)}::text[])
      and f.resolved_at > greatest(f.opened_at, ${at})
      and not exists (select 1 from findings n where n.rule_id = f.rule_id and n.subject_key = f.subject_key and n.opened_at > f.opened_at)`);
}

function attribute(j: Judged, audit: AuditRecord[]): Attribution | null {
  if (j.outcome.ruleId === "drift.config-changed") return configChanger(j.observed, j.recorded, audit);
  return ATTRIBUTED.has(j.outcome.ruleId) ? workloadChanger(j.observed, j.recorded, audit) : null;
}

function toFinding(j: Judged, snap: SnapshotRef, who: Attribution | null): FindingInput {
  const o = j.observed;
  const perService = j.outcome.ruleId === "drift.rollback-gap";
  return {
    ruleId: j.outcome.ruleId,
    subjectKey: j.subject,
    environment: perService ? null : snap.environment,
    service: o.service,
    workload: `${o.namespace}/${o.kind}/${o.name}`,
    actor: who?.actor ?? null,
    summary: j.outcome.reason,
    evidence: { ...j.outcome.evidence, ...(who ? { attributedTo: who } : {}) },
    observedAt: snap.observedAt,
  };
}

/** People's writes around the failing workloads: from their last deployment (at most 30 days back) to the snapshot. */
async function auditFor(db: Queryable, snap: SnapshotRef, judged: Judged[]) {
  const wanted = judged.filter((j) => ATTRIBUTED.has(j.outcome.ruleId) || j.outcome.ruleId === "drift.config-changed");
  if (wanted.length === 0) return [];
  const floor = snap.observedAt.getTime() - 30 * DAY_MS;
  const from = Math.max(floor, Math.min(...wanted.map((j) => (j.recorded.configBaseline?.observedAt ?? j.recorded.lastDeployment?.deployedAt ?? new Date(floor)).getTime() - DAY_MS)));
  const namespaces = [...new Set(wanted.map((j) => j.observed.namespace))];
  return peopleWritesBetween(db, snap.environment, namespaces, new Date(from), snap.observedAt);
}

/** Open drift findings about workloads of this environment, and about services, by rule. */
async function openDriftFindings(db: Queryable, environment: string): Promise<Map<string, Set<string>>> {
  const rows = await db
    .select({ ruleId: findings.ruleId, subjectKey: findings.subjectKey })
    .from(findings)
    .where(
      and(
        eq(findings.status, "open"),
        like(findings.ruleId, "drift.%"),
        or(eq(findings.environment, environment), eq(findings.ruleId, "drift.rollback-gap")),
      ),
    );
  const byRule = new Map<string, Set<string>>();
  for (const r of rows) byRule.set(r.ruleId, (byRule.get(r.ruleId) ?? new Set()).add(r.subjectKey));
  return byRule;
}

/**
 * The open drift findings evaluateSnapshot consults (by environment, with every rollback gap), read
 * once per environment for one evaluation's snapshots and then kept in step with what their judging
 * opens and resolves, instead of read again for each snapshot (a burst of 358 small snapshots read
 * them 361 times, ~1.3 ms each). Only for an unsharded evaluation: it holds the evaluation lock, so
 * nothing else judges drift meanwhile; sharded, another environment's shard may open or resolve a
 * rollback gap between two of this shard's snapshots, and the findings are read each time.
 * Controllers' findings are in what is read too (their subjects are no container's): evaluateControllers
 * consults them and keeps them in step the same way, and only it opens them. What is known may hold a
 * finding no longer open (resolving it again matches nothing) but never lacks one this evaluation
 * opened; one opened outside it meanwhile (an admission bypass recorded by the webhook) counts from
 * the next evaluation, as it would had it committed just after a single read.
 */
export class OpenDriftKnown {
  private readonly byEnvironment = new Map<string, Map<string, Set<string>>>();

  async of(db: Queryable, environment: string): Promise<Map<string, Set<string>>> {
    let open = this.byEnvironment.get(environment);
    if (!open) {
      open = await openDriftFindings(db, environment);
      this.byEnvironment.set(environment, open);
    }
    return open;
  }

  /** Findings a snapshot of `environment` opened or saw again: open now, wherever they are known (a rollback gap in every environment). */
  opened(environment: string, items: { ruleId: string; subjectKey: string }[]): void {
    for (const [env, open] of this.byEnvironment) {
      for (const f of items) if (env === environment || f.ruleId === "drift.rollback-gap") open.set(f.ruleId, (open.get(f.ruleId) ?? new Set()).add(f.subjectKey));
    }
  }

  /** Findings a snapshot of `environment` resolved (those not open were not known either). */
  resolved(environment: string, items: { ruleId: string; subjectKey: string }[]): void {
    for (const [env, open] of this.byEnvironment) {
      for (const f of items) if (env === environment || f.ruleId === "drift.rollback-gap") open.get(f.ruleId)?.delete(f.subjectKey);
    }
  }
}

/** Drift about something other than a workload of the cluster: a cluster snapshot that does not show it says nothing about it. */
const PER_WORKLOAD_EXCLUDED = new Set([
  "drift.exec-into-container",
  "drift.rollback-gap",
  "drift.manual-migration",
  "drift.untagged-images-kept",
  "drift.gitops-manual-sync",
  "drift.gitops-out-of-sync",
  "drift.gitops-self-heal-off",
  "drift.gitops-suspended",
]);

/** Workload drift in this environment whose workload the latest snapshot no longer shows: what to resolve. */
function vanished(snap: SnapshotRef, open: Map<string, Set<string>>, present: Set<string>): Resolution[] {
  const out: Resolution[] = [];
  const resolution = `The workload no longer runs in ${snap.environment} (snapshot ${snap.externalId}).`;
  for (const [ruleId, subjects] of open) {
    if (PER_WORKLOAD_EXCLUDED.has(ruleId)) continue;
    for (const k of subjects) if (k.startsWith(`${snap.environment}/`) && !isControllerSubject(k) && !present.has(k)) out.push({ ruleId, subjectKey: k, at: snap.observedAt, resolution });
  }
  return out;
}

async function controllersOnly(db: Queryable, snap: SnapshotRef): Promise<boolean> {
  const rows = await db
    .select({ id: snapshotControllers.id })
    .from(snapshotControllers)
    .where(and(eq(snapshotControllers.snapshotId, snap.id), withinMonths(sql`${snapshotControllers.observedAt}`, [snap.observedAt])))
    .limit(1);
  return rows.length > 0;
}
