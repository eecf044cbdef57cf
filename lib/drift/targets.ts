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
  // The candidates: the new snapshots, and each environment's latest and latest other than them,
  // each one index probe per environment (environments holds every snapshot's environment). These
  // were picked with DISTINCT ON over every snapshot ever stored: a scan of the whole history, and at
  // ten years of monthly partitions ~100 ms a batch even when they were empty.
  const columns = sql`s.id, s.external_id, s.environment, s.observed_at`;
  const rows = await queryRows<Row>(
    db,
    sql`with cand as (
          select ${columns} from snapshots s where s.id in (${freshList})
          union
          select l.* from environments e cross join lateral (
            select ${columns} from snapshots s where s.environment = e.name order by s.observed_at desc, s.id desc limit 1) l
          union
          select p.* from environments e cross join lateral (
            select ${columns} from snapshots s where s.environment = e.name and s.id not in (${freshList})
            order by s.observed_at desc, s.id desc limit 1) p),
        ranked as (
          select c.id, c.external_id, c.environment, c.observed_at, c.id in (${freshList}) as fresh,
            row_number() over (partition by c.environment order by c.observed_at desc, c.id desc) = 1 as latest,
            max(case when c.id in (${freshList}) then null else c.observed_at end) over (partition by c.environment) as settled_at
          from cand c)
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
