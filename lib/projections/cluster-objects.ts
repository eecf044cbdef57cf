import { bulkInsert } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { snapshotConfigs, snapshotControllers } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { chunks } from "./merge";

/** The controllers and ConfigMap/Secret hashes of newly stored snapshots (other kinds stay in the ledger only). */
export async function applySnapshotObjects(
  tx: Queryable,
  events: EventOf<"snapshot">[],
  snapshotIdOf: (e: EventOf<"snapshot">) => number | undefined,
): Promise<void> {
  const controllers = [];
  const configs = [];
  for (const e of events) {
    const snapshotId = snapshotIdOf(e);
    if (snapshotId === undefined) continue;
    for (const c of e.controllers ?? []) {
      controllers.push({
        snapshotId,
        namespace: c.namespace,
        kind: c.kind,
        name: c.name,
        service: c.service ?? c.name,
        images: c.images,
        configRefs: c.configRefs,
        managers: c.managers?.map((m) => ({ manager: m.manager, operation: m.operation, time: m.time ?? null, ...(m.subresource ? { subresource: m.subresource } : {}) })) ?? null,
        lastAppliedImages: c.lastAppliedImages ?? null,
      });
    }
    for (const c of e.configs ?? []) configs.push({ snapshotId, namespace: c.namespace, kind: c.kind, name: c.name, dataHash: c.dataHash });
  }
  for (const batch of chunks(controllers, 5000)) await bulkInsert(tx, snapshotControllers, batch);
  for (const batch of chunks(configs, 10000)) await bulkInsert(tx, snapshotConfigs, batch);
}
