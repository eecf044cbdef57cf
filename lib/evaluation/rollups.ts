import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";

const dayOf = sql`(d.deployed_at at time zone 'UTC')::date`;
const counts = sql`count(*) filter (where c.result = 'pass'), count(*) filter (where c.result = 'fail'), count(*) filter (where c.result not in ('pass', 'fail'))`;

/**
 * Locks the days (and environments) of these deployments' roll-ups until the transaction ends,
 * in the order of their lock keys. Evaluation shards are by image, so two shards may recount the
 * same day: the recount that takes the lock last runs after the other committed and counts both.
 */
export async function lockRollupDays(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('custody.rollups'), k.key) from (
      select distinct hashtext(environment || '/' || ((deployed_at at time zone 'UTC')::date)::text) as key
      from deployments where id = any(${sql.param([...deploymentIds])}::bigint[]) order by 1) k`);
}

/**
 * Recounts the daily check roll-ups of the days (and environments) these deployments were made
 * on, from their check_results: in the evaluator's transaction, after it stored the results. A
 * recount rather than increments, so a re-evaluation that changes a result stays exact.
 */
export async function refreshCheckRollups(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  const days = sql`select distinct environment, (deployed_at at time zone 'UTC')::date as day from deployments where id = any(${sql.param([...deploymentIds])}::bigint[])`;
  await db.execute(sql`delete from check_rollups_daily r using (${days}) t where r.environment = t.environment and r.day = t.day`);
  await db.execute(sql`insert into check_rollups_daily (day, environment, rule_id, passed, failed, missing)
    select t.day, t.environment, c.rule_id, ${counts}
    from (${days}) t
    join deployments d on d.environment = t.environment
      and d.deployed_at >= t.day::timestamp at time zone 'UTC' and d.deployed_at < (t.day + 1)::timestamp at time zone 'UTC'
    join check_results c on c.deployment_id = d.id
    group by 1, 2, 3`);
}

const deploymentCounts = sql`count(*), count(*) filter (where d.status = 'success'),
  coalesce(array_agg(extract(epoch from d.deployed_at - c.committed_at)::double precision order by d.id)
    filter (where d.status = 'success' and c.committed_at is not null), '{}')`;

/**
 * Recounts the daily deployment roll-ups (deployments, successes, lead times) of the days and
 * environments of these deployments: beside refreshCheckRollups, in the evaluator's transaction.
 * Under lockRollupDays, as the check roll-ups.
 */
export async function refreshDeploymentRollups(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  const days = sql`select distinct environment, (deployed_at at time zone 'UTC')::date as day from deployments where id = any(${sql.param([...deploymentIds])}::bigint[])`;
  await db.execute(sql`delete from deployment_rollups_daily r using (${days}) t where r.environment = t.environment and r.day = t.day`);
  await db.execute(sql`insert into deployment_rollups_daily (day, environment, deployments, succeeded, lead_seconds)
    select t.day, t.environment, ${deploymentCounts}
    from (${days}) t
    join deployments d on d.environment = t.environment
      and d.deployed_at >= t.day::timestamp at time zone 'UTC' and d.deployed_at < (t.day + 1)::timestamp at time zone 'UTC'
    left join commits c on c.sha = d.commit_sha
    group by 1, 2`);
}

/** Recounts every roll-up from check_results (after a bulk load or a rebuild). */
export async function rebuildCheckRollups(db: Queryable): Promise<void> {
  await db.execute(sql`delete from check_rollups_daily`);
  await db.execute(sql`insert into check_rollups_daily (day, environment, rule_id, passed, failed, missing)
    select ${dayOf}, d.environment, c.rule_id, ${counts}
    from check_results c join deployments d on d.id = c.deployment_id group by 1, 2, 3`);
  await db.execute(sql`delete from deployment_rollups_daily`);
  await db.execute(sql`insert into deployment_rollups_daily (day, environment, deployments, succeeded, lead_seconds)
    select ${dayOf}, d.environment, ${deploymentCounts}
    from deployments d left join commits c on c.sha = d.commit_sha group by 1, 2`);
}
