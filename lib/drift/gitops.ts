import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { openFindings, resolveFindings, type FindingInput } from "../findings/store";
import { activePolicy } from "../policy/active";
import { gitopsSubject, judgeGitops, type GitopsObservation } from "../policy/drift/gitops-rules";
import { inShard, storedInBatch, type Touched } from "../projections/touched";

type Row = {
  environment: string;
  tool: string;
  namespace: string;
  kind: string;
  name: string;
  service: string | null;
  revision: string | null;
  sync_status: string | null;
  automated: boolean | null;
  self_heal: boolean | null;
  suspended: boolean | null;
  last_sync_by: string | null;
  last_sync_automated: boolean | null;
  last_sync_at: Date | string | null;
  observed_at: Date | string;
  external_id: string;
  is_production: boolean | null;
};

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/**
 * Judges the Argo CD / Flux objects this batch observed, each by its newest status (a status that
 * arrives late, behind a newer one, changes nothing). Production environments are the enforced
 * ones: a failure there opens a finding naming the person when there is one; a passing status
 * resolves the open finding of the same rule and object.
 */
export async function evaluateGitops(db: Queryable, touched: Touched): Promise<number> {
  const rows = await queryRows<Row>(
    db,
    sql`with fresh as (
          select distinct environment, tool, namespace, kind, name from gitops_statuses where ${storedInBatch(touched, sql`created_at`)}
        )
        select distinct on (g.environment, g.tool, g.namespace, g.kind, g.name)
               g.environment, g.tool, g.namespace, g.kind, g.name, g.service, g.revision, g.sync_status, g.automated, g.self_heal,
               g.suspended, g.last_sync_by, g.last_sync_automated, g.last_sync_at, g.observed_at, g.external_id, e.is_production
          from gitops_statuses g
          join fresh f on f.environment = g.environment and f.tool = g.tool and f.namespace = g.namespace and f.kind = g.kind and f.name = g.name
          left join environments e on e.name = g.environment
         where g.reason is null
         order by g.environment, g.tool, g.namespace, g.kind, g.name, g.observed_at desc, g.id desc`,
  );
  const opened: FindingInput[] = [];
  let changed = 0;
  for (const r of rows) {
    if (!inShard(touched, r.environment)) continue;
    const production = r.is_production ?? (r.environment === "production" || r.environment === "prod");
    if (!production) continue;
    const o: GitopsObservation = {
      environment: r.environment,
      tool: r.tool,
      namespace: r.namespace,
      kind: r.kind,
      name: r.name,
      revision: r.revision,
      syncStatus: r.sync_status,
      automated: r.automated,
      selfHeal: r.self_heal,
      suspended: r.suspended,
      lastSyncBy: r.last_sync_by,
      lastSyncAutomated: r.last_sync_automated,
      lastSyncAt: r.last_sync_at === null ? null : asDate(r.last_sync_at),
      observedAt: asDate(r.observed_at),
    };
    const subject = gitopsSubject(o);
    for (const outcome of judgeGitops(o)) {
      if (outcome.result === "pass") {
        changed += await resolveFindings(db, outcome.ruleId, [subject], o.observedAt, `${outcome.reason} (status ${r.external_id})`);
        continue;
      }
      opened.push({
        policyVersion: activePolicy().version,
        ruleId: outcome.ruleId,
        subjectKey: subject,
        environment: o.environment,
        service: r.service,
        workload: `${o.namespace}/${o.kind}/${o.name}`,
        actor: outcome.actor,
        summary: outcome.reason,
        evidence: { gitops: { ...o, lastSyncAt: o.lastSyncAt?.toISOString() ?? null, observedAt: o.observedAt.toISOString(), status: r.external_id } },
        observedAt: o.observedAt,
      });
    }
  }
  await openFindings(db, opened);
  return changed + opened.length;
}
