import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { Touched } from "../projections/touched";
import type { SnapshotRef, WorkloadFilter } from "./gather";

export interface SnapshotTarget {
  snapshot: SnapshotRef;
  filter: WorkloadFilter;
  latest: boolean;
}

type Row = { id: number | string; external_id: string; environment: string; observed_at: Date | string; is_production: boolean | null; latest: boolean; fresh: boolean };

/**
 * What to judge after a batch: every new snapshot no older than its environment's newest earlier
 * one (oldest first, so findings open and resolve in time order), and the latest snapshot of every
 * other environment restricted to the containers whose digest or service the batch touched (late
 * evidence: a deployment, build or staging record that arrived after the snapshot).
 */
export async function snapshotTargets(db: Queryable, touched: Touched): Promise<SnapshotTarget[]> {
  const fresh = [...touched.snapshotIds];
  const digests = [...touched.digests];
  const services = [...touched.services];
  if (fresh.length === 0 && digests.length === 0 && services.length === 0) return [];
  const freshList = fresh.length > 0 ? sql.join(fresh.map((id) => sql`${id}`), sql`, `) : sql`-1`;
  const rows = await queryRows<Row>(
    db,
    sql`with ranked as (
          select s.id, s.external_id, s.environment, s.observed_at, s.id in (${freshList}) as fresh,
            row_number() over (partition by s.environment order by s.observed_at desc, s.id desc) = 1 as latest,
            max(case when s.id in (${freshList}) then null else s.observed_at end) over (partition by s.environment) as settled_at
          from snapshots s
          where s.id in (${freshList})
             or s.id in (select distinct on (l.environment) l.id from snapshots l order by l.environment, l.observed_at desc, l.id desc)
             or s.id in (select distinct on (p.environment) p.id from snapshots p where p.id not in (${freshList}) order by p.environment, p.observed_at desc, p.id desc))
        select r.id, r.external_id, r.environment, r.observed_at, e.is_production, r.latest, r.fresh
        from ranked r left join environments e on e.name = r.environment
        where (r.fresh and (r.settled_at is null or r.observed_at >= r.settled_at)) or (r.latest and not r.fresh)
        order by r.observed_at, r.id`,
  );
  const filter = { digests, services };
  return rows
    .filter((r) => r.fresh || digests.length + services.length > 0)
    .map((r) => ({
    snapshot: {
      id: Number(r.id),
      externalId: r.external_id,
      environment: r.environment,
      observedAt: new Date(r.observed_at),
      isProduction: r.is_production ?? false,
    },
    filter: r.fresh ? null : filter,
    latest: r.latest,
  }));
}
