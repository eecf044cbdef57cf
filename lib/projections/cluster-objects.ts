import { bulkInsert } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { snapshotConfigs, snapshotControllers } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { chunks } from "./merge";

/** A snapshot as stored: its id and the time its rows are partitioned by. */
export interface StoredSnapshot {
  id: number;
  observedAt: Date;
}

/** The controllers and ConfigMap/Secret hashes of newly stored snapshots (other kinds stay in the ledger only). */
export async function applySnapshotObjects(
  tx: Queryable,
  events: EventOf<"snapshot">[],
  storedOf: (e: EventOf<"snapshot">) => StoredSnapshot | undefined,
): Promise<void> {
  const controllers = [];
  const configs = [];
  for (const e of events) {
    const snap = storedOf(e);
    if (snap === undefined) continue;
    const { id: snapshotId, observedAt } = snap;
    for (const c of e.controllers ?? []) {
      controllers.push({
        snapshotId,
        observedAt,
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
    for (const c of e.configs ?? []) configs.push({ snapshotId, observedAt, namespace: c.namespace, kind: c.kind, name: c.name, dataHash: c.dataHash });
  }
  for (const batch of chunks(controllers, 5000)) await bulkInsert(tx, snapshotControllers, batch);
  for (const batch of chunks(configs, 10000)) await bulkInsert(tx, snapshotConfigs, batch);
}
