import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { toIso } from "./period";

export interface PromotionCell {
  digest: string | null;
  deploymentId: number;
  deployedAt: string;
}

export interface PromotionRow {
  service: string;
  cells: Record<string, PromotionCell | undefined>;
  /** Production runs a digest that never ran in the environment just before it. */
  skippedStaging: boolean;
  /** Production's digest is not the one the environment before it runs now (it may be older or newer). */
  differsFromPrevious: boolean;
}

export interface PromotionMatrix {
  environments: { name: string; isProduction: boolean }[];
  rows: PromotionRow[];
}

/**
 * Service × environment: the digest each runs now (last successful deployment). One index probe per
 * pair rather than a sort of the whole deployments table, so it stays fast at millions of rows.
 */
export async function promotionMatrix(db: Queryable, at: Date = new Date()): Promise<PromotionMatrix> {
  const envs = await queryRows<{ name: string; rank: number; is_production: boolean }>(
    db,
    sql`select name, rank, is_production from environments order by rank, name`,
  );
  const prodEnv = envs.find((e) => e.is_production);
  const prevEnv = prodEnv ? envs.find((e) => e.rank === prodEnv.rank - 1) : undefined;
  const cells = await queryRows<{
    service: string; environment: string; digest: string | null; id: number | string; deployed_at: Date | string; skipped: boolean;
  }>(
    db,
    sql`select ce.name as environment, cs.name as service, d.digest, d.id, d.deployed_at,
          (ce.name = ${prodEnv?.name ?? null} and not exists (
            select 1 from deployments s
            where s.service = cs.name and s.environment = ${prevEnv?.name ?? null} and s.digest = d.digest
              and s.status = 'success' and s.deployed_at <= d.deployed_at)) as skipped
        from environments ce cross join services cs
        cross join lateral (
          select d.digest, d.id, d.deployed_at from deployments d
          where d.service = cs.name and d.environment = ce.name and d.status = 'success' and d.deployed_at <= ${at}
          order by d.deployed_at desc, d.id desc limit 1) d`,
  );
  const rows = new Map<string, PromotionRow>();
  for (const c of cells) {
    const row = rows.get(c.service) ?? { service: c.service, cells: {}, skippedStaging: false, differsFromPrevious: false };
    row.cells[c.environment] = { digest: c.digest, deploymentId: Number(c.id), deployedAt: toIso(c.deployed_at) ?? "" };
    if (c.skipped) row.skippedStaging = true;
    rows.set(c.service, row);
  }
  const prod = envs.find((e) => e.is_production);
  const before = prod ? envs.find((e) => e.rank === prod.rank - 1) : undefined;
  for (const row of rows.values()) {
    const p = prod ? row.cells[prod.name] : undefined;
    const b = before ? row.cells[before.name] : undefined;
    row.differsFromPrevious = Boolean(p && b && p.digest !== b.digest);
  }
  return {
    environments: envs.map((e) => ({ name: e.name, isProduction: e.is_production })),
    rows: [...rows.values()].sort((a, b) => a.service.localeCompare(b.service)),
  };
}
