import type { Queryable } from "@/db/client";
import type { Policy } from "../policy";
import { activePolicy } from "../policy/active";
import type { Touched } from "../projections/touched";
import { evaluateSnapshot } from "./evaluate-snapshot";
import { evaluateExecs } from "./exec";
import { snapshotTargets } from "./targets";

export { evaluateSnapshot } from "./evaluate-snapshot";
export { evaluateExecs } from "./exec";
export { gatherSnapshotEvidence, type SnapshotRef, type WorkloadFilter } from "./gather";
export { execSubject, serviceSubject, workloadSubject } from "./subjects";
export { snapshotTargets, type SnapshotTarget } from "./targets";

/**
 * Drift for what a batch changed: new snapshots, late evidence for the latest snapshot of each
 * environment, and new audit records. Runs inside the ingest transaction.
 */
export async function detectDrift(db: Queryable, touched: Touched, policy: Policy = activePolicy()): Promise<void> {
  for (const target of await snapshotTargets(db, touched)) {
    await evaluateSnapshot(db, target.snapshot, target.filter, policy, target.latest);
  }
  if (touched.auditEvents > 0) await evaluateExecs(db, touched);
}
