import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { AuditRecord } from "../policy/drift";

type Row = {
  id: number | string;
  audit_id: string;
  environment: string;
  verb: string;
  username: string;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  user_agent: string | null;
  impersonated_user?: string | null;
  occurred_at: Date | string;
};

export function toAuditRecord(r: Row): AuditRecord {
  return {
    id: Number(r.id),
    auditId: r.audit_id,
    environment: r.environment,
    verb: r.verb,
    username: r.username,
    resource: r.resource,
    subresource: r.subresource,
    namespace: r.namespace,
    name: r.name,
    userAgent: r.user_agent,
    impersonatedUser: r.impersonated_user ?? null,
    occurredAt: new Date(r.occurred_at),
  };
}

export async function selectAuditRecords(db: Queryable, where: SQL): Promise<AuditRecord[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select id, audit_id, environment, verb, username, resource, subresource, namespace, name, user_agent, impersonated_user, occurred_at
        from cluster_audit_events where ${where} order by occurred_at, id`,
  );
  return rows.map(toAuditRecord);
}

/** People's writes in these namespaces of an environment within a time range: the candidates for "who did it". */
export async function peopleWritesBetween(db: Queryable, environment: string, namespaces: string[], from: Date, to: Date): Promise<AuditRecord[]> {
  if (namespaces.length === 0) return [];
  return selectAuditRecords(
    db,
    sql`environment = ${environment} and occurred_at >= ${from} and occurred_at <= ${to}
        and namespace in (${sql.join(namespaces.map((n) => sql`${n}`), sql`, `)})
        and verb in ('create', 'update', 'patch') and username not like 'system:%'`,
  );
}
