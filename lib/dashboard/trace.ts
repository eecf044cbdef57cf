import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { AppError } from "../errors";
import { traceObservedDigest, type ObservedTrace } from "../evidence/observed-trace";
import { traceDeployments, type RefKind } from "../evidence/trace";
import { toIso } from "./period";

export type { RefKind } from "../evidence/trace";

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
  /** How the reference was read (as the API reads it); empty when nothing matched. */
  matchedAs: RefKind[];
  /** False when the text is not a form of reference Custody knows (see classifyRef). */
  recognised: boolean;
  hits: TraceHit[];
  /** More deployments matched than are listed (the newest `MAX_HITS` are). */
  truncated: boolean;
  /** For a digest, what the snapshots saw (as the API's trace answers it). */
  observed: ObservedTrace | null;
}

/** Deployments listed on the trace page, newest first. */
export const MAX_HITS = 100;

/** Whether the text has the form of a reference: `owner/repo#123`, a digest, a commit SHA (7–40 hex) or a pipeline run id. */
export function classifyRef(ref: string): { kind: RefKind; value: string } | null {
  const r = ref.trim();
  if (/^[\w.-]+\/[\w.-]+#\d+$/.test(r)) return { kind: "pullRequest", value: r };
  if (/^sha256:[0-9a-f]{64}$/i.test(r)) return { kind: "digest", value: r.toLowerCase() };
  if (/^[0-9a-f]{64}$/i.test(r)) return { kind: "digest", value: `sha256:${r.toLowerCase()}` };
  if (/^[0-9a-f]{7,40}$/i.test(r) && /[a-f]/i.test(r)) return { kind: "commit", value: r.toLowerCase() };
  if (/^[\w.-]{1,100}$/.test(r)) return { kind: "pipelineRun", value: r };
  return null;
}

/**
 * The deployments a reference leads to, found exactly as `GET /api/v1/trace/{ref}` finds them
 * (lib/evidence/trace.ts), so the page and the API list the same deployments.
 */
export async function traceRef(db: Queryable, ref: string): Promise<TraceResult> {
  const c = classifyRef(ref);
  let match: Awaited<ReturnType<typeof traceDeployments>>;
  try {
    match = await traceDeployments(db, c?.value ?? ref.trim(), MAX_HITS);
  } catch (error) {
    // Not found or not a reference: the page says which; anything else is a fault.
    if (error instanceof AppError && (error.code === "NOT_FOUND" || error.code === "VALIDATION")) {
      return { ref, matchedAs: [], recognised: c !== null, hits: [], truncated: false, observed: null };
    }
    throw error;
  }
  const rows =
    match.ids.length === 0
      ? []
      : await queryRows<{
          id: number | string; service: string; environment: string; digest: string | null; commit_sha: string | null; deployed_at: Date | string; status: string; rank: number | null;
        }>(db, sql`select d.id, d.service, d.environment, e.rank, d.digest, d.commit_sha, d.deployed_at, d.status
          from deployments d left join environments e on e.name = d.environment
          where d.id = any(${sql.param(match.ids)}::bigint[]) order by d.deployed_at desc, d.id desc`);
  return {
    ref,
    matchedAs: match.matchedAs,
    recognised: true,
    truncated: match.truncated,
    observed: match.matchedAs.includes("digest") ? await traceObservedDigest(db, match.ref) : null,
    hits: rows.map((r) => ({
      deploymentId: Number(r.id), service: r.service, environment: r.environment, environmentRank: Number(r.rank ?? -1), digest: r.digest, commitSha: r.commit_sha,
      deployedAt: toIso(r.deployed_at) ?? "", status: r.status,
    })),
  };
}
