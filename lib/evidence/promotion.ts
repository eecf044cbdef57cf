import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";

export interface PromotionStage {
  environment: string;
  digest: string | null;
  imageRef: string;
  deploymentId: number;
  deployedAt: string;
}

export interface PromotionRow {
  service: string;
  /** The digest each environment runs now, keyed by environment name (development, staging, production...). */
  stages: Record<string, PromotionStage | null>;
  /**
   * Whether production's digest ran successfully in the pre-production environment before it
   * reached production; null when the service is not in production.
   */
  passedStagingFirst: boolean | null;
  stagingDeployedAt: string | null;
}

export interface PromotionView {
  environments: string[];
  /** The environments production digests must pass first (the highest pre-production rank). */
  stagingEnvironments: string[];
  productionEnvironments: string[];
  services: PromotionRow[];
  at: string;
}

/** For each service: which digest runs in each environment, and whether production's passed staging first. */
export async function promotionView(db: Queryable, at: Date = new Date()): Promise<PromotionView> {
  const envs = await queryRows<{ name: string; rank: number; is_production: boolean }>(db, sql`select name, rank, is_production from environments order by rank, name`);
  const current = await queryRows<{ service: string; environment: string; id: number | string; digest: string | null; image_ref: string; deployed_at: Date | string }>(
    db,
    sql`select s.name as service, e.name as environment, d.id, d.digest, d.image_ref, d.deployed_at
        from services s cross join environments e cross join lateral (
          select id, digest, image_ref, deployed_at from deployments
          where service = s.name and environment = e.name and deployed_at <= ${at} and status = 'success'
          order by deployed_at desc, id desc limit 1) d`,
  );
  const prodRank = Math.min(...envs.filter((e) => e.is_production).map((e) => e.rank));
  const preProd = envs.filter((e) => !e.is_production && e.rank > 0 && e.rank < prodRank);
  const topPre = Math.max(...preProd.map((e) => e.rank));
  const stagingEnvs = preProd.filter((e) => e.rank === topPre).map((e) => e.name);
  const prodEnvs = envs.filter((e) => e.is_production).map((e) => e.name);
  const firstStaged = await queryRows<{ service: string; deployed_at: Date | string }>(
    db,
    sql`select p.service, min(s.deployed_at) as deployed_at
        from deployments p join deployments s on s.service = p.service and s.digest = p.digest and s.status = 'success' and s.deployed_at < p.deployed_at
        where p.id in ${current.length > 0 ? current.filter((c) => prodEnvs.includes(c.environment)).map((c) => Number(c.id)).concat([-1]) : [-1]}
          and s.environment in ${stagingEnvs.length > 0 ? stagingEnvs : [""]}
        group by p.service`,
  );
  const services = [...new Set(current.map((c) => c.service))].sort();
  return {
    at: at.toISOString(),
    environments: envs.map((e) => e.name),
    stagingEnvironments: stagingEnvs,
    productionEnvironments: prodEnvs,
    services: services.map((service) => {
      const stages: Record<string, PromotionStage | null> = {};
      for (const e of envs) {
        const c = current.find((x) => x.service === service && x.environment === e.name);
        stages[e.name] = c
          ? { environment: e.name, digest: c.digest, imageRef: c.image_ref, deploymentId: Number(c.id), deployedAt: new Date(c.deployed_at).toISOString() }
          : null;
      }
      const inProd = prodEnvs.some((p) => stages[p] !== null);
      const staged = firstStaged.find((f) => f.service === service);
      return {
        service,
        stages,
        passedStagingFirst: inProd ? staged !== undefined : null,
        stagingDeployedAt: staged ? new Date(staged.deployed_at).toISOString() : null,
      };
    }),
  };
}
