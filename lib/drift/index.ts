import { transactionWithoutJit, type Database, type Queryable } from "@/db/client";
import type { Policy } from "../policy";
import type { ObservedContainer, RecordedEvidence } from "../policy/drift";
import { activePolicy } from "../policy/active";
import { inShard, type Touched } from "../projections/touched";
import { evaluateControllers, readControllers, readControllersGroup, type ControllerReads } from "./controllers";
import { evaluateSnapshot, OpenDriftKnown } from "./evaluate-snapshot";
import { evaluateExecs } from "./exec";
import { evaluateGitops } from "./gitops";
import { evaluateMigrations } from "./migrations";
import { evaluateUntagged } from "./untagged";
import { gatherGroupEvidence, withoutJit, type SnapshotRef } from "./gather";
import { snapshotTargets } from "./targets";

export { evaluateSnapshot } from "./evaluate-snapshot";
export { evaluateControllers } from "./controllers";
export { evaluateExecs } from "./exec";
export { evaluateMigrations } from "./migrations";
export { gatherSnapshotEvidence, type SnapshotRef, type WorkloadFilter } from "./gather";
export { controllerSubject, execSubject, serviceSubject, workloadSubject } from "./subjects";
export { snapshotTargets, type SnapshotTarget } from "./targets";

let groupSnapshots = true;
/**
 * Whether detectDrift reads the evidence of several whole snapshots for the group (the default) or
 * snapshot by snapshot: the tests judge the same queue both ways and compare the findings.
 */
export function setSnapshotGrouping(on: boolean): void {
  groupSnapshots = on;
}

/**
 * Drift for what a batch changed: new snapshots, late evidence for the latest snapshot of each
 * environment, and new audit records. Runs inside the evaluator's transaction; `aside` (a pooled
 * database, not PGlite) lets part of a snapshot's evidence be read beside it.
 */
export async function detectDrift(
  db: Queryable,
  touched: Touched,
  aside: Database | null = null,
  policy: Policy = activePolicy(),
  opts: { grouped?: boolean } = { grouped: groupSnapshots },
): Promise<void> {
  const targets = (await snapshotTargets(db, touched)).filter((t) => inShard(touched, t.snapshot.environment));
  // Several whole snapshots (a batch of small ones): their evidence and controllers are read for the
  // group in a few statements, then each is judged in turn, oldest first, from what was read. The
  // reads see only projections, which judging does not write, so this is judging them one by one.
  const whole = opts.grouped === false ? [] : targets.filter((t) => t.filter === null).map((t) => t.snapshot);
  const group = whole.length > 1 ? await readGroup(db, whole, policy, aside) : null;
  const known = touched.shard === null ? new OpenDriftKnown() : undefined;
  for (const target of targets) {
    const read = target.filter === null ? group?.get(target.snapshot.id) : undefined;
    if (read) {
      await evaluateSnapshot(db, target.snapshot, null, policy, target.latest, null, touched.shard !== null, { items: read.items, hasControllers: read.controllers !== null }, known);
      await evaluateControllers(db, target.snapshot, null, target.latest, Promise.resolve(read.controllers), known);
      continue;
    }
    // The controllers' reads (committed projections only) run aside while the containers are judged.
    const controllerReads = aside ? readControllers(aside, target.snapshot, target.filter) : undefined;
    controllerReads?.catch(() => {}); // awaited below; not an unhandled rejection if the snapshot's judging throws first
    await evaluateSnapshot(db, target.snapshot, target.filter, policy, target.latest, aside, touched.shard !== null, undefined, known);
    await evaluateControllers(db, target.snapshot, target.filter, target.latest, controllerReads, known);
  }
  if (touched.auditEvents > 0) await evaluateExecs(db, touched);
  if (touched.gitopsStatuses > 0) await evaluateGitops(db, touched);
  if (touched.migrationDatabases.size > 0) await evaluateMigrations(db, touched);
  if (touched.registryRepositories.size > 0) await evaluateUntagged(db, touched, policy);
}

/** What judging each snapshot of a group reads, by snapshot id. */
async function readGroup(
  db: Queryable,
  snaps: SnapshotRef[],
  policy: Policy,
  aside: Database | null,
): Promise<Map<number, { items: { observed: ObservedContainer; recorded: RecordedEvidence }[]; controllers: ControllerReads | null }>> {
  // The controllers' reads (committed projections only) run aside while the containers' evidence is
  // read, as for a single snapshot; without JIT, which their plans for a large group would pay for.
  const aheadOf = aside ? transactionWithoutJit(aside, (q) => readControllersGroup(q, snaps)) : null;
  aheadOf?.catch(() => {}); // awaited below; not an unhandled rejection if the evidence read throws first
  const evidence = await gatherGroupEvidence(db, snaps, policy.retainedImages);
  const controllers = aheadOf ? await aheadOf : await withoutJit(db, () => readControllersGroup(db, snaps));
  return new Map(snaps.map((s) => [s.id, { items: evidence.get(s.id) ?? [], controllers: controllers.get(s.id) ?? null }]));
}
