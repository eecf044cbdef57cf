import type { Queryable } from "@/db/client";
import type { CustodyEvent, CustodyEventType, EventOf } from "../events/schema";
import { inferDigestsByCommit } from "./commit-inference";
import { applyDeployments, applyImageBuilds, applyPipelineRuns } from "./delivery";
import { applyAttestations, applyClusterAudit, applySnapshots } from "./observations";
import { applyGitopsStatuses } from "./gitops";
import { applyMigrationRecords, applyMigrationSnapshots } from "./migrations";
import { applyProvenanceBundles } from "./provenance";
import { applyRegistryTags } from "./registry";
import { applyCheckRuns, applyCommits, applyPullRequests, applyReviews } from "./source-control";
import { emptyTouched, type Touched } from "./touched";

function ofType<T extends CustodyEventType>(events: CustodyEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/**
 * Projects events into the domain tables. Every upsert is commutative (see merge.ts), so the
 * projections after any set of events are the same whatever order they arrived in.
 */
export async function applyEvents(tx: Queryable, events: CustodyEvent[], touched: Touched = emptyTouched()): Promise<Touched> {
  for (const e of events) {
    const at = new Date(e.occurredAt);
    if (!touched.latestEventAt || at > touched.latestEventAt) touched.latestEventAt = at;
  }
  await applyCommits(tx, ofType(events, "commit"), touched);
  await applyPullRequests(tx, ofType(events, "pull_request"), touched);
  await applyReviews(tx, ofType(events, "review"), touched);
  await applyCheckRuns(tx, ofType(events, "check_run"), touched);
  await applyPipelineRuns(tx, ofType(events, "pipeline_run"), touched);
  await applyImageBuilds(tx, ofType(events, "image_build"), touched);
  await applyDeployments(tx, ofType(events, "deployment"), touched);
  await inferDigestsByCommit(tx, ofType(events, "deployment"), touched);
  await applyAttestations(tx, ofType(events, "attestation"), touched);
  await applySnapshots(tx, ofType(events, "snapshot"), touched);
  await applyClusterAudit(tx, ofType(events, "k8s_audit"), touched);
  await applyProvenanceBundles(tx, ofType(events, "sigstore_bundle"), touched);
  await applyGitopsStatuses(tx, ofType(events, "gitops_status"), touched);
  await applyRegistryTags(tx, ofType(events, "registry_tags"), touched);
  await applyMigrationRecords(tx, ofType(events, "migration"), touched);
  await applyMigrationSnapshots(tx, ofType(events, "migration_snapshot"), touched);
  return touched;
}
