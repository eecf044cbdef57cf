import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { toIso } from "./period";

export type RefKind = "pull-request" | "digest" | "commit" | "pipeline-run";

export interface TraceHit {
  deploymentId: number;
  service: string;
  environment: string;
  environmentRank: number;
  digest: string | null;
  commitSha: string | null;
  deployedAt: string;
  status: string;
}

export interface TraceResult {
  ref: string;
  kind: RefKind | null;
  hits: TraceHit[];
}

/** Recognises what was pasted: `owner/repo#123`, a digest, a commit SHA (7–40 hex) or a pipeline run id. */
export function classifyRef(ref: string): { kind: RefKind; value: string; repository?: string; number?: number } | null {
  const r = ref.trim();
  const pr = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(r);
  if (pr?.[1] && pr[2]) return { kind: "pull-request", value: r, repository: pr[1], number: Number(pr[2]) };
  if (/^sha256:[0-9a-f]{64}$/i.test(r)) return { kind: "digest", value: r.toLowerCase() };
  if (/^[0-9a-f]{64}$/i.test(r)) return { kind: "digest", value: `sha256:${r.toLowerCase()}` };
  if (/^[0-9a-f]{7,40}$/i.test(r) && /[a-f]/i.test(r)) return { kind: "commit", value: r.toLowerCase() };
  if (/^\d{1,20}$/.test(r)) return { kind: "pipeline-run", value: r };
  return null;
}

/** The deployments a reference leads to, newest first (at most 50: a ref rarely reaches more). */
export async function traceRef(db: Queryable, ref: string): Promise<TraceResult> {
  const c = classifyRef(ref);
  if (!c) return { ref, kind: null, hits: [] };
  let where: SQL;
  if (c.kind === "pull-request") {
    where = sql`d.commit_sha in (select merge_commit_sha from pull_requests where repository = ${c.repository ?? ""} and number = ${c.number ?? 0} and merge_commit_sha is not null)`;
  } else if (c.kind === "digest") {
    where = sql`d.digest = ${c.value}`;
  } else if (c.kind === "commit") {
    where = c.value.length === 40 ? sql`d.commit_sha = ${c.value}` : sql`d.commit_sha like ${`${c.value}%`}`;
  } else {
    where = sql`(d.pipeline_run_id = ${c.value} or d.digest in (select digest from image_builds where pipeline_run_id = ${c.value}))`;
  }
  const rows = await queryRows<{
    id: number | string; service: string; environment: string; digest: string | null; commit_sha: string | null; deployed_at: Date | string; status: string; rank: number | null;
  }>(db, sql`select d.id, d.service, d.environment, e.rank, d.digest, d.commit_sha, d.deployed_at, d.status
    from deployments d left join environments e on e.name = d.environment where ${where} order by d.deployed_at desc, d.id desc limit 50`);
  return {
    ref,
    kind: c.kind,
    hits: rows.map((r) => ({
      deploymentId: Number(r.id), service: r.service, environment: r.environment, environmentRank: Number(r.rank ?? -1), digest: r.digest, commitSha: r.commit_sha,
      deployedAt: toIso(r.deployed_at) ?? "", status: r.status,
    })),
  };
}
