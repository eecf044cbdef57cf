import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { subjectLabel } from "../drift/subjects";

/**
 * A digest as the clusters saw it: the workloads and snapshots that ran it, the drift findings on
 * those workloads, the people the evidence names, and the incidents. An auditor starts from what
 * runs; a digest with no deployment or build record still leads somewhere, and says so.
 */
export interface ObservedRun {
  environment: string;
  namespace: string;
  kind: string;
  name: string;
  container: string;
  imageRef: string;
  firstSeenAt: string;
  lastSeenAt: string;
  snapshots: number;
  /** Whether the environment's latest snapshot still shows it. */
  runningNow: boolean;
  lastAppliedBy: string | null;
}

export interface ObservedFinding {
  id: number;
  ruleId: string;
  severity: string;
  status: string;
  environment: string | null;
  workload: string | null;
  /** What the finding is about, as a reader says it (lib/drift/subjects.ts): a controller, a container, a pod's shell. */
  subject: string;
  actor: string | null;
  summary: string;
  openedAt: string;
}

export interface ObservedPerson {
  who: string;
  what: string;
  at: string | null;
  source: "cluster-audit" | "finding" | "snapshot";
}

export interface ObservedTrace {
  digest: string;
  /** False when no deployment and no image build names this digest: there is no pipeline chain. */
  hasPipelineChain: boolean;
  runs: ObservedRun[];
  findings: ObservedFinding[];
  people: ObservedPerson[];
  incidents: { id: number; title: string; status: string; openedAt: string }[];
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** The observed side of a digest's trace; null when no snapshot ever saw it. */
export async function traceObservedDigest(db: Queryable, digest: string): Promise<ObservedTrace | null> {
  const runs = await queryRows<{
    environment: string; namespace: string; kind: string; name: string; container: string; image_ref: string;
    first_seen: Date | string; last_seen: Date | string; n: number | string; last_snapshot: number | string; latest: number | string | null; applied_by: string | null;
  }>(
    db,
    sql`select s.environment, w.namespace, w.kind, w.name, w.container, max(w.image_ref) as image_ref,
          min(s.observed_at) as first_seen, max(s.observed_at) as last_seen, count(*) as n, max(s.id) as last_snapshot,
          (select l.id from snapshots l where l.environment = s.environment order by l.observed_at desc, l.id desc limit 1) as latest,
          (array_agg(w.last_applied_by order by s.observed_at desc))[1] as applied_by
        from snapshot_workloads w join snapshots s on s.id = w.snapshot_id and s.observed_at = w.observed_at
        where w.digest = ${digest}
        group by s.environment, w.namespace, w.kind, w.name, w.container
        order by max(s.observed_at) desc`,
  );
  if (runs.length === 0) return null;
  const [chain] = await queryRows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from deployments where digest = ${digest} union all select 1 from image_builds where digest = ${digest}) as found`,
  );
  const workloads = runs.map((r) => ({ environment: r.environment, workload: `${r.namespace}/${r.kind}/${r.name}`, namespace: r.namespace, name: r.name }));
  const firstSeen = runs.reduce((m, r) => (iso(r.first_seen) < m ? iso(r.first_seen) : m), iso(runs[0]?.first_seen ?? new Date()));
  const lastSeen = runs.reduce((m, r) => (iso(r.last_seen) > m ? iso(r.last_seen) : m), "");
  const pairs = sql.join(
    workloads.map((w) => sql`(${w.environment}, ${w.workload})`),
    sql`, `,
  );
  // Drift findings on those workloads, and exec findings on their pods, opened while the digest ran there.
  const findingRows = await queryRows<{
    id: number | string; rule_id: string; severity: string; status: string; environment: string | null; workload: string | null; subject_key: string; actor: string | null; summary: string; opened_at: Date | string;
  }>(
    db,
    sql`select id, rule_id, severity, status, environment, workload, subject_key, actor, summary, opened_at from findings
        where rule_id like 'drift.%' and (environment, workload) in (${pairs})
          and opened_at >= ${new Date(firstSeen)}::timestamptz - interval '1 day'
        order by (status = 'open') desc, array_position(array['critical', 'high', 'medium', 'low'], severity), opened_at desc, id desc limit 200`,
  );
  const audits = await queryRows<{ username: string; verb: string; resource: string | null; subresource: string | null; name: string | null; occurred_at: Date | string }>(
    db,
    sql`select distinct a.username, a.verb, a.resource, a.subresource, a.name, a.occurred_at from cluster_audit_events a
        join (values ${sql.join(workloads.map((w) => sql`(${w.environment}, ${w.namespace}, ${w.name})`), sql`, `)}) as v(environment, namespace, name)
          on a.environment = v.environment and a.namespace = v.namespace and (a.name = v.name or a.name like v.name || '-%')
        where a.occurred_at >= ${new Date(firstSeen)}::timestamptz - interval '1 day' and a.occurred_at <= ${new Date(lastSeen)}
          and a.verb in ('create', 'update', 'patch', 'delete')
        order by a.occurred_at limit 100`,
  );
  const ids = findingRows.map((f) => Number(f.id));
  const incidents =
    ids.length === 0
      ? []
      : await queryRows<{ id: number | string; title: string; status: string; opened_at: Date | string }>(
          db,
          sql`select distinct i.id, i.title, i.status, i.opened_at from incidents i
              join incident_findings l on l.incident_id = i.id
              join findings f on f.rule_id = l.rule_id and f.subject_key = l.subject_key
              where f.id in ${ids} order by i.opened_at desc`,
        );
  const people: ObservedPerson[] = [
    ...audits.map((a) => ({
      who: a.username,
      what: `${a.verb} ${[a.resource, a.subresource].filter(Boolean).join("/")} ${a.name ?? ""}`.trim(),
      at: iso(a.occurred_at),
      source: "cluster-audit" as const,
    })),
    ...runs.flatMap((r) => (r.applied_by ? [{ who: r.applied_by, what: `last applied ${r.kind} ${r.name}`, at: iso(r.last_seen), source: "snapshot" as const }] : [])),
    ...findingRows.flatMap((f) => (f.actor ? [{ who: f.actor, what: f.rule_id, at: iso(f.opened_at), source: "finding" as const }] : [])),
  ];
  const seen = new Set<string>();
  return {
    digest,
    hasPipelineChain: chain?.found === true,
    runs: runs.map((r) => ({
      environment: r.environment, namespace: r.namespace, kind: r.kind, name: r.name, container: r.container, imageRef: r.image_ref,
      firstSeenAt: iso(r.first_seen), lastSeenAt: iso(r.last_seen), snapshots: Number(r.n), runningNow: r.latest !== null && Number(r.latest) === Number(r.last_snapshot),
      lastAppliedBy: r.applied_by,
    })),
    findings: findingRows.map((f) => ({
      id: Number(f.id), ruleId: f.rule_id, severity: f.severity, status: f.status, environment: f.environment, workload: f.workload, subject: subjectLabel(f.subject_key), actor: f.actor, summary: f.summary, openedAt: iso(f.opened_at),
    })),
    people: people.filter((p) => {
      const key = `${p.who}|${p.what}|${p.at ?? ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    incidents: incidents.map((i) => ({ id: Number(i.id), title: i.title, status: i.status, openedAt: iso(i.opened_at) })),
  };
}
