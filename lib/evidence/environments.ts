import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";

export interface RunningService {
  service: string;
  imageRef: string;
  digest: string | null;
  deploymentId: number;
  deployedAt: Date;
  actor: string | null;
}

export interface EnvironmentSummary {
  name: string;
  rank: number;
  isProduction: boolean;
  services: RunningService[];
  lastDeploymentAt: Date | null;
  lastSnapshotAt: Date | null;
  openFindings: number;
}

/**
 * Each environment with what the pipeline last deployed there per service (as of `at`, default now).
 * The (service, environment) pairs that ever deployed are walked on the (service, environment,
 * deployed_at) index, one probe per pair, and each pair's last successful deployment is one more
 * probe: the cost follows the number of pairs, not of deployments (a DISTINCT ON over every
 * deployment took seconds at a million rows; this takes milliseconds).
 */
export async function environmentsOverview(db: Queryable, at: Date = new Date()): Promise<EnvironmentSummary[]> {
  const envs = await queryRows<{ name: string; rank: number; is_production: boolean; last_snapshot_at: Date | string | null; open_findings: string | number }>(
    db,
    sql`select e.name, e.rank, e.is_production,
          (select max(s.observed_at) from snapshots s where s.environment = e.name and s.observed_at <= ${at}) as last_snapshot_at,
          (select count(*) from findings f where f.environment = e.name and f.status = 'open') as open_findings
        from environments e order by e.rank, e.name`,
  );
  const running = await queryRows<{
    environment: string;
    service: string;
    image_ref: string;
    digest: string | null;
    id: string | number;
    deployed_at: Date | string;
    actor: string | null;
  }>(
    db,
    sql`with recursive pairs(service, environment) as (
          (select d.service, d.environment from deployments d order by d.service, d.environment limit 1)
          union all
          select n.service, n.environment from pairs p
          cross join lateral (select d.service, d.environment from deployments d
            where (d.service, d.environment) > (p.service, p.environment)
            order by d.service, d.environment limit 1) n)
        select p.environment, p.service, r.image_ref, r.digest, r.id, r.deployed_at, r.actor
        from pairs p
        cross join lateral (select d.image_ref, d.digest, d.id, d.deployed_at, d.actor from deployments d
          where d.service = p.service and d.environment = p.environment and d.status = 'success' and d.deployed_at <= ${at}
          order by d.deployed_at desc, d.id desc limit 1) r`,
  );
  return envs.map((e) => {
    const services = running
      .filter((r) => r.environment === e.name)
      .map((r) => ({
        service: r.service,
        imageRef: r.image_ref,
        digest: r.digest,
        deploymentId: Number(r.id),
        deployedAt: new Date(r.deployed_at),
        actor: r.actor,
      }))
      .sort((a, b) => a.service.localeCompare(b.service));
    const last = services.reduce<Date | null>((m, s) => (!m || s.deployedAt > m ? s.deployedAt : m), null);
    return {
      name: e.name,
      rank: e.rank,
      isProduction: e.is_production,
      services,
      lastDeploymentAt: last,
      lastSnapshotAt: e.last_snapshot_at ? new Date(e.last_snapshot_at) : null,
      openFindings: Number(e.open_findings),
    };
  });
}
