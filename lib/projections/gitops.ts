import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { gitopsStatuses } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { sourceColumnsOf, sourceKeyOf } from "../evidence/source";
import { originOf } from "./sourced";
import type { Touched } from "./touched";

/** Each GitOps status is an observation of its own (like a snapshot): stored once, never merged. */
export async function applyGitopsStatuses(tx: Queryable, events: EventOf<"gitops_status">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  const inserted = await bulkInsert(
    tx,
    gitopsStatuses,
    events.map((e) => {
      const source = originOf(e);
      return {
        externalId: e.id,
        environment: e.environment,
        tool: e.tool,
        namespace: e.namespace,
        kind: e.kind,
        name: e.name,
        service: e.service ?? null,
        revision: e.revision ?? null,
        syncStatus: e.syncStatus ?? null,
        health: e.health ?? null,
        automated: e.automated ?? null,
        selfHeal: e.selfHeal ?? null,
        suspended: e.suspended ?? null,
        lastSyncBy: e.lastSync?.by ?? null,
        lastSyncAutomated: e.lastSync?.automated ?? null,
        lastSyncAt: e.lastSync?.at ? new Date(e.lastSync.at) : null,
        images: e.images ?? null,
        reason: e.reason ?? null,
        severity: e.severity ?? null,
        message: e.message ?? null,
        observedAt: new Date(e.occurredAt),
        ...sourceColumnsOf(source),
        sourceKeys: [sourceKeyOf(source)],
      };
    }),
    sql`${onConflictNothing()} returning id`,
  );
  touched.gitopsStatuses += inserted.length;
  for (const e of events) touched.environments.add(e.environment);
}
