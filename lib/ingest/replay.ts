import { asc, gt, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { ledgerEvents, type LedgerEvent } from "@/db/schema";
import type { CustodyEvent } from "../events/schema";
import { lockLedger } from "../ledger/ledger";
import { applyEvents } from "../projections/apply";
import { emptyTouched } from "../projections/touched";
import { EVENTS_SOURCE, parseEventsBody } from "./events-api";
import { mapGithubDelivery } from "./github";
import { GITHUB_SOURCE, decodePayload } from "./github-webhook";
import { environmentOfDelivery, fluxEventToStatus } from "./flux/events";
import { FLUX_SOURCE } from "./flux-webhook";
import { mapGitlabDelivery } from "./gitlab";
import { GITLAB_SOURCE } from "./gitlab-webhook";
import { runEvaluators, sourcedEvents } from "./ingest";
import { SIGSTORE_SOURCE, bundleEvent } from "../provenance/ingest";

type StoredEntry = Pick<LedgerEvent, "source" | "eventType" | "deliveryId" | "contentType" | "body" | "status"> & Partial<Pick<LedgerEvent, "receivedAt">>;

/** The events a ledger entry stands for, derived again from its stored body. */
export function eventsOfEntry(entry: StoredEntry & { principal?: string | null }): CustodyEvent[] {
  return sourcedEvents({ ...entry, events: parsedEventsOf(entry) });
}

function parsedEventsOf(entry: StoredEntry): CustodyEvent[] {
  if (entry.status !== "used") return [];
  if (entry.source === SIGSTORE_SOURCE) {
    return [bundleEvent(entry.deliveryId, JSON.parse(entry.body) as Record<string, unknown>, entry.receivedAt ?? new Date(0))];
  }
  if (entry.source === GITHUB_SOURCE) {
    const payload = decodePayload(entry.body, entry.contentType ?? "application/json");
    if (!payload.ok) return [];
    const mapped = mapGithubDelivery(entry.eventType, entry.deliveryId, payload.value);
    return mapped.status === "used" ? mapped.events : [];
  }
  if (entry.source === GITLAB_SOURCE) {
    const payload = decodePayload(entry.body, entry.contentType ?? "application/json");
    if (!payload.ok) return [];
    const mapped = mapGitlabDelivery(entry.deliveryId, payload.value, { receivedAt: entry.receivedAt?.toISOString() });
    return mapped.status === "used" ? mapped.events : [];
  }
  if (entry.source === FLUX_SOURCE) return [fluxEventToStatus(JSON.parse(entry.body) as unknown, environmentOfDelivery(entry.deliveryId), entry.deliveryId)];
  if (entry.source === EVENTS_SOURCE) return parseEventsBody(JSON.parse(entry.body) as unknown).events;
  return [];
}

/** Tables derived from the ledger; users, tokens, incidents, waivers and the audit log are not. */
const projectionTables = [
  "check_rollups_daily",
  "deployment_rollups_daily",
  "check_summaries",
  "check_results",
  "snapshot_workloads",
  "snapshot_controllers",
  "snapshot_configs",
  "snapshots",
  "snapshot_keys",
  "findings",
  "deployments",
  "image_builds",
  "pipeline_runs",
  "check_runs",
  "reviews",
  "pull_requests",
  "commits",
  "attestations",
  "cluster_audit_events",
  "provenance_bundles",
  "registry_tag_lists",
  "migration_records",
  "migration_snapshots",
  // Rebuild judges everything it replays; what was queued before is covered.
  "evaluation_queue",
  "webhook_repositories",
  "gitops_statuses",
];

/**
 * Replays the whole ledger, in order, into emptied projections, in one transaction that holds the
 * ledger lock (ingestion waits; readers see the old projections until it commits).
 */
export async function rebuildProjections(db: Database, batchSize = 1000): Promise<{ entries: number; events: number }> {
  return db.transaction(async (tx) => {
    await lockLedger(tx);
    await tx.execute(sql.raw(`truncate ${projectionTables.join(", ")} restart identity`));
    let after = 0;
    let entries = 0;
    let events = 0;
    for (;;) {
      const batch = await tx.select().from(ledgerEvents).where(gt(ledgerEvents.seq, after)).orderBy(asc(ledgerEvents.seq)).limit(batchSize);
      if (batch.length === 0) break;
      const evs = batch.flatMap(eventsOfEntry);
      const touched = await applyEvents(tx, evs, emptyTouched());
      await runEvaluators(tx, touched);
      entries += batch.length;
      events += evs.length;
      after = batch[batch.length - 1]?.seq ?? after;
    }
    return { entries, events };
  });
}
