import { isPerson, type AuditRecord } from "./exec-rule";
import { unexplainedHumanWrites } from "./spec-rules";
import type { ObservedContainer, RecordedEvidence } from "./types";

const WINDOW_MS = 15 * 60 * 1000;
const WORKLOAD_RESOURCES = new Set(["deployments", "statefulsets", "daemonsets", "replicasets", "pods", "cronjobs", "jobs"]);
const CONFIG_RESOURCES = new Set(["configmaps", "secrets"]);
const WRITES = new Set(["create", "update", "patch"]);

export interface Attribution {
  actor: string;
  auditEvent: { id: number; auditId: string; verb: string; resource: string | null; name: string | null; occurredAt: string; impersonatedUser?: string };
}

export const attributionOf = (a: AuditRecord): Attribution => ({
  actor: a.username,
  auditEvent: {
    id: a.id, auditId: a.auditId, verb: a.verb, resource: a.resource, name: a.name, occurredAt: a.occurredAt.toISOString(),
    ...(a.impersonatedUser ? { impersonatedUser: a.impersonatedUser } : {}),
  },
});

/**
 * The person whose kubectl write to this workload falls within minutes of a human field manager's
 * time (or, with no timed manager, the latest person writing to it before the snapshot). Null when
 * the audit log names nobody.
 */
export function workloadChanger(
  o: Pick<ObservedContainer, "namespace" | "name" | "managers" | "snapshot">,
  r: Pick<RecordedEvidence, "lastDeployment">,
  audit: readonly AuditRecord[],
): Attribution | null {
  const writes = audit.filter(
    (a) => isPerson(a.username) && WRITES.has(a.verb) && a.resource !== null && WORKLOAD_RESOURCES.has(a.resource) && a.namespace === o.namespace &&
      a.name !== null && (a.name === o.name || a.name.startsWith(`${o.name}-`)) && a.occurredAt <= o.snapshot.observedAt,
  );
  const times = unexplainedHumanWrites(o.managers, r.lastDeployment?.deployedAt ?? null)
    .map((m) => (m.time ? Date.parse(m.time) : null))
    .filter((t): t is number => t !== null);
  let best: AuditRecord | null = null;
  let bestGap = Infinity;
  for (const a of writes) {
    const gap = times.length === 0 ? o.snapshot.observedAt.getTime() - a.occurredAt.getTime() : Math.min(...times.map((t) => Math.abs(t - a.occurredAt.getTime())));
    if ((times.length === 0 || gap <= WINDOW_MS) && gap < bestGap) {
      best = a;
      bestGap = gap;
    }
  }
  return best ? attributionOf(best) : null;
}

/** The latest person writing a ConfigMap or Secret named after the workload between its baseline snapshot and this one. */
export function configChanger(o: ObservedContainer, r: RecordedEvidence, audit: readonly AuditRecord[]): Attribution | null {
  const from = r.configBaseline?.observedAt ?? null;
  const prefixes = [o.name, o.service].filter((x): x is string => Boolean(x));
  const candidates = audit
    .filter(
      (a) => isPerson(a.username) && WRITES.has(a.verb) && a.resource !== null && CONFIG_RESOURCES.has(a.resource) && a.namespace === o.namespace &&
        a.name !== null && prefixes.some((p) => a.name === p || (a.name?.startsWith(`${p}-`) ?? false)) &&
        (from === null || a.occurredAt >= from) && a.occurredAt <= o.snapshot.observedAt,
    )
    .sort((x, y) => y.occurredAt.getTime() - x.occurredAt.getTime());
  const [latest] = candidates;
  return latest ? attributionOf(latest) : null;
}
