import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { openFinding } from "../findings/store";
import { activePolicy } from "../policy/active";
import { containerAccess, execIntoContainer, isPerson, type AuditRecord } from "../policy/drift";
import { selectAuditRecords } from "./audit-records";
import { inShard, storedInBatch, type Touched } from "../projections/touched";
import { execSubject } from "./subjects";

/**
 * Opens `drift.exec-into-container` for the shell, attach and ephemeral-container records this
 * batch stored (see storedInBatch). Such a finding never
 * resolves by itself: what happened inside the container cannot be seen or undone by a snapshot.
 */
export async function evaluateExecs(db: Queryable, touched: Touched): Promise<number> {
  const fresh = await selectAuditRecords(
    db,
    sql`${storedInBatch(touched, sql`created_at`)} and resource = 'pods' and subresource in ('exec', 'attach', 'ephemeralcontainers') and username not like 'system:%'`,
  );
  const candidates = fresh.filter((a) => inShard(touched, a.environment) && containerAccess(a) !== null && isPerson(a.username));
  if (candidates.length === 0) return 0;
  const production = await productionEnvironments(db, [...new Set(candidates.map((a) => a.environment))]);
  const workloads = await podWorkloads(db, candidates);
  let opened = 0;
  for (const a of candidates) {
    const outcome = execIntoContainer(a, production.has(a.environment));
    if (outcome === null) continue;
    const workload = workloads.get(`${a.environment}\u0000${a.namespace ?? ""}\u0000${a.name ?? ""}`) ?? null;
    await openFinding(db, {
      policyVersion: activePolicy().version,
      ruleId: outcome.ruleId,
      subjectKey: execSubject(a.environment, a.namespace, a.name, a.username),
      environment: a.environment,
      service: workload?.service ?? null,
      workload: workload ? `${a.namespace ?? ""}/${workload.kind}/${workload.name}` : `${a.namespace ?? ""}/Pod/${a.name ?? ""}`,
      actor: a.username,
      summary: outcome.reason,
      evidence: { ...outcome.evidence, workload },
      observedAt: a.occurredAt,
    });
    opened++;
  }
  return opened;
}

/** Environments flagged production, or named so before their first deployment or snapshot created the row. */
async function productionEnvironments(db: Queryable, names: string[]): Promise<Set<string>> {
  const rows = await queryRows<{ name: string; is_production: boolean }>(
    db,
    sql`select name, is_production from environments where name in (${sql.join(names.map((n) => sql`${n}`), sql`, `)})`,
  );
  const known = new Map(rows.map((r) => [r.name, r.is_production]));
  return new Set(names.filter((n) => known.get(n) ?? (n === "production" || n === "prod")));
}

type PodWorkload = { kind: string; name: string; service: string | null };

/** The workload each pod belongs to, from the latest snapshot of its environment: the longest workload name prefixing the pod name. */
async function podWorkloads(db: Queryable, records: AuditRecord[]): Promise<Map<string, PodWorkload>> {
  const out = new Map<string, PodWorkload>();
  for (const environment of new Set(records.map((r) => r.environment))) {
    const pods = records.filter((r) => r.environment === environment && r.namespace !== null && r.name !== null);
    if (pods.length === 0) continue;
    const namespaces = [...new Set(pods.map((p) => p.namespace ?? ""))];
    const rows = await queryRows<{ namespace: string; kind: string; name: string; service: string | null }>(
      db,
      sql`select distinct sw.namespace, sw.kind, sw.name, sw.service from snapshot_workloads sw
          where sw.snapshot_id = (select s.id from snapshots s where s.environment = ${environment} order by s.observed_at desc, s.id desc limit 1)
            and sw.namespace in (${sql.join(namespaces.map((n) => sql`${n}`), sql`, `)})`,
    );
    for (const p of pods) {
      const match = rows
        .filter((w) => w.namespace === p.namespace && (p.name === w.name || (p.name?.startsWith(`${w.name}-`) ?? false)))
        .sort((x, y) => y.name.length - x.name.length)[0];
      if (match) out.set(`${environment}\u0000${p.namespace ?? ""}\u0000${p.name ?? ""}`, { kind: match.kind, name: match.name, service: match.service });
    }
  }
  return out;
}
