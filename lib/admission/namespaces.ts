import type { Queryable } from "@/db/client";
import { environments } from "@/db/schema";
import type { AdmissionConfig, AdmissionMode } from "../config";

/** Never judged: the control plane's namespaces and Custody's own (the webhook must not lock itself out). */
export const EXEMPT_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease", "custody"]);

export interface NamespacePolicy {
  mode: AdmissionMode;
  environment: string;
  isProduction: boolean;
}

const TTL_MS = 30_000;
const g = globalThis as unknown as { __custodyKnownEnvironments?: { at: number; byName: Map<string, boolean> } };

/** Known environments and whether each is production, re-read at most every 30 s. */
async function knownEnvironments(db: Queryable, now: number): Promise<Map<string, boolean>> {
  const hit = g.__custodyKnownEnvironments;
  if (hit && now - hit.at < TTL_MS) return hit.byName;
  const rows = await db.select({ name: environments.name, isProduction: environments.isProduction }).from(environments);
  const byName = new Map(rows.map((r) => [r.name, r.isProduction]));
  g.__custodyKnownEnvironments = { at: now, byName };
  return byName;
}

export function forgetEnvironments(): void {
  g.__custodyKnownEnvironments = undefined;
}

/**
 * The mode of a namespace: as configured (CUSTODY_ADMISSION_NAMESPACES); else `warn` for a
 * namespace named like an environment Custody knows; else `off`. `enforce` is always explicit.
 */
export async function namespacePolicy(db: Queryable, namespace: string, settings: AdmissionConfig, now = Date.now()): Promise<NamespacePolicy> {
  if (EXEMPT_NAMESPACES.has(namespace)) return { mode: "off", environment: namespace, isProduction: false };
  const known = await knownEnvironments(db, now);
  const configured = settings.namespaces[namespace];
  if (configured !== undefined) {
    return { mode: configured.mode, environment: configured.environment, isProduction: known.get(configured.environment) ?? false };
  }
  if (known.has(namespace)) return { mode: "warn", environment: namespace, isProduction: known.get(namespace) ?? false };
  return { mode: "off", environment: namespace, isProduction: false };
}
