import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { withinDays } from "../partitions/prune";

const dayOf = sql`(d.deployed_at at time zone 'UTC')::date`;
const counts = sql`count(*) filter (where c.result = 'pass'), count(*) filter (where c.result = 'fail'), count(*) filter (where c.result not in ('pass', 'fail'))`;

const ids = (deploymentIds: readonly number[]) => sql`${sql.param([...deploymentIds])}::bigint[]`;

/** The (environment, day) of these deployments. */
const daysOf = (deploymentIds: readonly number[]): SQL =>
  sql`select distinct environment, (deployed_at at time zone 'UTC')::date as day from deployments where id = any(${ids(deploymentIds)})`;

/**
 * The days of these deployments and of each one's predecessor (the previous deployment of its
 * service in its environment): a deployment that arrives is its predecessor's "next", which
 * decides whether the predecessor counts as a failed change (a rollback, or the incident window).
 */
const daysWithPredecessors = (deploymentIds: readonly number[]): SQL =>
  sql`${daysOf(deploymentIds)}
    union
    select p.environment, (p.deployed_at at time zone 'UTC')::date from deployments d cross join lateral (
      select pr.environment, pr.deployed_at from deployments pr
      where pr.service = d.service and pr.environment = d.environment and pr.deployed_at <= d.deployed_at and (pr.deployed_at < d.deployed_at or pr.id < d.id)
      order by pr.deployed_at desc, pr.id desc limit 1) p
    where d.id = any(${ids(deploymentIds)})`;

/** Locks (environment, day) roll-up keys until the transaction ends, in the order of their lock keys. */
async function lockDays(db: Queryable, days: SQL): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('custody.rollups'), k.key) from (
      select distinct hashtext(t.environment || '/' || t.day::text) as key from (${days}) t order by 1) k`);
}

/**
 * Locks the days (and environments) of these deployments' roll-ups, and their predecessors', until
 * the transaction ends, in the order of their lock keys. Evaluation shards are by image, so two
 * shards may recount the same day: the recount that takes the lock last runs after the other
 * committed and counts both.
 */
export async function lockRollupDays(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  await lockDays(db, daysWithPredecessors(deploymentIds));
}

/**
 * Whether deployment `d` counts as a failed change (DORA's change-failure rate; production
 * environments only, 0 elsewhere): it did not succeed, the next deployment of its service in its environment (`nx`, any time later) is a
 * rollback, or a production incident was opened from its deployment until that next deployment
 * (within 7 days when there is none yet). A property of the deployment, not of the period read.
 */
const failedChange = sql`(exists (select 1 from environments de where de.name = d.environment and de.is_production)
  and (d.status <> 'success' or nx.change_type = 'rollback'
    or exists (select 1 from incidents i join environments ie on ie.name = i.environment and ie.is_production
      where i.opened_at >= d.deployed_at and i.opened_at < coalesce(nx.deployed_at, d.deployed_at + interval '7 days'))))`;

/** `nx`: the next deployment of d's service in d's environment (one backward-index probe). */
const nextDeployment = sql`left join lateral (
    select n.deployed_at, n.change_type from deployments n
    where n.service = d.service and n.environment = d.environment and n.deployed_at >= d.deployed_at and (n.deployed_at > d.deployed_at or n.id > d.id)
    order by n.deployed_at, n.id limit 1) nx on true`;

/**
 * Recounts the daily check roll-ups of the days (and environments) these deployments were made
 * on, from their check_results: in the evaluator's transaction, after it stored the results. A
 * recount rather than increments, so a re-evaluation that changes a result stays exact.
 */
export async function refreshCheckRollups(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  const days = daysOf(deploymentIds);
  // The days as values too, so that only their months of check_results are planned (lib/partitions/prune.ts).
  const dayList = await queryRows<{ day: string }>(
    db,
    sql`select distinct to_char(deployed_at at time zone 'UTC', 'YYYY-MM-DD') as day from deployments where id = any(${ids(deploymentIds)})`,
  );
  await db.execute(sql`delete from check_rollups_daily r using (${days}) t where r.environment = t.environment and r.day = t.day`);
  await db.execute(sql`insert into check_rollups_daily (day, environment, rule_id, passed, failed, missing)
    select t.day, t.environment, c.rule_id, ${counts}
    from (${days}) t
    join deployments d on d.environment = t.environment
      and d.deployed_at >= t.day::timestamp at time zone 'UTC' and d.deployed_at < (t.day + 1)::timestamp at time zone 'UTC'
    join check_results c on c.deployment_id = d.id and c.deployed_at = d.deployed_at
    where ${withinDays(sql`c.deployed_at`, dayList.map((r) => r.day))}
    group by 1, 2, 3`);
}

const deploymentCounts = sql`count(*), count(*) filter (where d.status = 'success'),
  coalesce(array_agg(extract(epoch from d.deployed_at - c.committed_at)::double precision order by d.id)
    filter (where d.status = 'success' and c.committed_at is not null), '{}'),
  count(*) filter (where ${failedChange})`;

/** Recounts the deployment roll-ups of these (environment, day) pairs. */
async function recountDeploymentDays(db: Queryable, days: SQL): Promise<void> {
  await db.execute(sql`delete from deployment_rollups_daily r using (${days}) t where r.environment = t.environment and r.day = t.day`);
  await db.execute(sql`insert into deployment_rollups_daily (day, environment, deployments, succeeded, lead_seconds, failed)
    select t.day, t.environment, ${deploymentCounts}
    from (${days}) t
    join deployments d on d.environment = t.environment
      and d.deployed_at >= t.day::timestamp at time zone 'UTC' and d.deployed_at < (t.day + 1)::timestamp at time zone 'UTC'
    left join commits c on c.sha = d.commit_sha
    ${nextDeployment}
    group by 1, 2`);
}

/**
 * Recounts the daily deployment roll-ups (deployments, successes, lead times, failed changes) of
 * the days and environments of these deployments and of their predecessors (whose failure depends
 * on what follows them): beside refreshCheckRollups, in the evaluator's transaction. Under
 * lockRollupDays, as the check roll-ups.
 */
export async function refreshDeploymentRollups(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  await recountDeploymentDays(db, daysWithPredecessors(deploymentIds));
}

/**
 * After an incident is stored (in its transaction): the failed-change counts of the deployments
 * whose window holds its opening, i.e. each production service's last deployment at or before
 * `openedAt` (one index probe per service), are recounted under their days' locks.
 */
export async function refreshFailuresForIncident(db: Queryable, openedAt: Date): Promise<void> {
  const days = sql`select distinct d.environment, (d.deployed_at at time zone 'UTC')::date as day
    from environments e cross join services s cross join lateral (
      select environment, deployed_at from deployments
      where service = s.name and environment = e.name and deployed_at <= ${openedAt}
      order by deployed_at desc, id desc limit 1) d
    where e.is_production`;
  await lockDays(db, days);
  await recountDeploymentDays(db, days);
}

/** Recounts every roll-up from check_results (after a bulk load or a rebuild). */
export async function rebuildCheckRollups(db: Queryable): Promise<void> {
  await db.execute(sql`delete from check_rollups_daily`);
  await db.execute(sql`insert into check_rollups_daily (day, environment, rule_id, passed, failed, missing)
    select ${dayOf}, d.environment, c.rule_id, ${counts}
    from check_results c join deployments d on d.id = c.deployment_id and d.deployed_at = c.deployed_at group by 1, 2, 3`);
  await db.execute(sql`delete from deployment_rollups_daily`);
  await db.execute(sql`insert into deployment_rollups_daily (day, environment, deployments, succeeded, lead_seconds, failed)
    select ${dayOf}, d.environment, ${deploymentCounts}
    from deployments d left join commits c on c.sha = d.commit_sha ${nextDeployment} group by 1, 2`);
}
