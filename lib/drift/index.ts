import type { Database, Queryable } from "@/db/client";
import type { Policy } from "../policy";
import { activePolicy } from "../policy/active";
import { inShard, type Touched } from "../projections/touched";
import { evaluateControllers, readControllers } from "./controllers";
import { evaluateSnapshot } from "./evaluate-snapshot";
import { evaluateExecs } from "./exec";
import { evaluateGitops } from "./gitops";
import { evaluateMigrations } from "./migrations";
import { evaluateUntagged } from "./untagged";
import { snapshotTargets } from "./targets";

export { evaluateSnapshot } from "./evaluate-snapshot";
export { evaluateControllers } from "./controllers";
export { evaluateExecs } from "./exec";
export { evaluateMigrations } from "./migrations";
export { gatherSnapshotEvidence, type SnapshotRef, type WorkloadFilter } from "./gather";
export { controllerSubject, execSubject, serviceSubject, workloadSubject } from "./subjects";
export { snapshotTargets, type SnapshotTarget } from "./targets";

/**
 * Drift for what a batch changed: new snapshots, late evidence for the latest snapshot of each
 * environment, and new audit records. Runs inside the evaluator's transaction; `aside` (a pooled
 * database, not PGlite) lets part of a snapshot's evidence be read beside it.
 */
export async function detectDrift(db: Queryable, touched: Touched, aside: Database | null = null, policy: Policy = activePolicy()): Promise<void> {
  for (const target of await snapshotTargets(db, touched)) {
    if (!inShard(touched, target.snapshot.environment)) continue;
    // The controllers' reads (committed projections only) run aside while the containers are judged.
    const controllerReads = aside ? readControllers(aside, target.snapshot, target.filter) : undefined;
    controllerReads?.catch(() => {}); // awaited below; not an unhandled rejection if the snapshot's judging throws first
    await evaluateSnapshot(db, target.snapshot, target.filter, policy, target.latest, aside, touched.shard !== null);
    await evaluateControllers(db, target.snapshot, target.filter, target.latest, controllerReads);
  }
  if (touched.auditEvents > 0) await evaluateExecs(db, touched);
  if (touched.gitopsStatuses > 0) await evaluateGitops(db, touched);
  if (touched.migrationDatabases.size > 0) await evaluateMigrations(db, touched);
  if (touched.registryRepositories.size > 0) await evaluateUntagged(db, touched, policy);
}
