import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing } from "@/db/bulk";
import { queryRows, type Queryable } from "@/db/client";
import { registryTagLists } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { sourceColumnsOf, sourceKeyOf } from "../evidence/source";
import { originOf } from "./sourced";
import type { Touched } from "./touched";

/** Registry tag lists, as observations (one row per list, never merged): retention counts read the latest per repository. */
export async function applyRegistryTags(tx: Queryable, events: EventOf<"registry_tags">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  await bulkInsert(
    tx,
    registryTagLists,
    events.map((e) => ({
      externalId: e.id,
      repository: e.repository,
      tags: [...new Set(e.tags)],
      untagged: e.untagged ?? null,
      observedAt: new Date(e.occurredAt),
      ...sourceColumnsOf(originOf(e)),
      sourceKeys: [sourceKeyOf(originOf(e))],
    })),
    onConflictNothing(),
  );
  // Retention is a fact about the services whose images live there: re-judge their latest snapshots and deployments.
  const services = await queryRows<{ service: string }>(
    tx,
    sql`select distinct service from image_builds where repository = any(${sql.param(events.map((e) => e.repository))}::text[]) and service is not null`,
  );
  for (const r of services) touched.services.add(r.service);
  for (const e of events) if (e.untagged !== undefined) touched.registryRepositories.add(e.repository);
}
