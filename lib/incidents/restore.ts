import { sql, type SQL } from "drizzle-orm";

/**
 * When the failure began, for DORA's time to restore: the earliest opening of the findings linked
 * to the incident (each identity's finding that was open when the incident was opened), or the
 * incident's own opening when it was opened from scratch. `alias` names the incidents row.
 */
export function restoreStartSql(alias = "i"): SQL {
  const i = sql.identifier(alias);
  return sql`coalesce((select min(lf.opened_at) from incident_findings l
      cross join lateral (select f.opened_at from findings f
        where f.rule_id = l.rule_id and f.subject_key = l.subject_key and f.opened_at <= ${i}.opened_at
        order by f.opened_at desc limit 1) lf
      where l.incident_id = ${i}.id), ${i}.opened_at)`;
}
