import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { AppError, notFound } from "../errors";
import { chainsForDeployments, type EvidenceChain } from "./chain";
import { traceObservedDigest, type ObservedTrace } from "./observed-trace";

export type RefKind = "pullRequest" | "digest" | "commit" | "pipelineRun";

export interface TraceResult {
  ref: string;
  /** How the reference was understood; a numeric id may be read as a commit prefix and a run id. */
  matchedAs: RefKind[];
  /** The chains the reference belongs to, newest deployment first (at most `MAX_CHAINS`). */
  chains: EvidenceChain[];
  truncated: boolean;
  /**
   * For a digest: where the clusters ran it, the drift findings, people and incidents; null when
   * no snapshot saw it. With `observed.hasPipelineChain` false, `chains` is empty: nothing Custody
   * recorded (deployment or build) leads to it.
   */
  observed: ObservedTrace | null;
}

export const MAX_CHAINS = 100;
const prRef = /^([\w.-]+(?:\/[\w.-]+){1,20})#(\d{1,9})$/;
const digestRef = /^sha256:[a-f0-9]{64}$/;
const shaPrefix = /^[a-f0-9]{7,40}$/;

/** The range of SHAs starting with `prefix`, written so the commit_sha indexes serve it. */
const shaMatches = (column: SQL, prefix: string): SQL =>
  prefix.length === 40 ? sql`${column} = ${prefix}` : sql`(${column} >= ${prefix} and ${column} < ${`${prefix}g`})`;

async function ids(db: Queryable, query: SQL): Promise<number[]> {
  return (await queryRows<{ id: number | string }>(db, query)).map((r) => Number(r.id));
}

async function known(db: Queryable, query: SQL): Promise<boolean> {
  return (await queryRows<{ found: boolean }>(db, sql`select exists (${query}) as found`))[0]?.found === true;
}

/** The deployments a reference leads to: how it was read, their ids newest first (at most `max`), and whether there were more. */
export interface TraceMatch {
  ref: string;
  matchedAs: RefKind[];
  ids: number[];
  truncated: boolean;
}

/**
 * Finds the evidence chains a reference belongs to: a commit SHA (full or a 7+ character prefix),
 * an image digest (one a snapshot saw counts, with or without a pipeline chain), a pull request `owner/repo#n`, or a pipeline run id. Unknown: 404.
 */
export async function traceRef(db: Queryable, raw: string): Promise<TraceResult> {
  const m = await traceDeployments(db, raw);
  const observed = m.matchedAs.includes("digest") ? await traceObservedDigest(db, m.ref) : null;
  return { ref: m.ref, matchedAs: m.matchedAs, chains: await chainsForDeployments(db, m.ids), truncated: m.truncated, observed };
}

/** The deployments `raw` leads to (see traceRef), without building their chains: the API and the trace page both use it. */
export async function traceDeployments(db: Queryable, raw: string, max = MAX_CHAINS): Promise<TraceMatch> {
  const ref = raw.trim();
  if (ref === "" || ref.length > 300) throw new AppError("VALIDATION", "ref: must be a commit SHA, image digest, owner/repo#number or pipeline run id");
  const matchedAs: RefKind[] = [];
  const found = new Set<number>();
  const pr = prRef.exec(ref);
  if (pr) {
    const [repo, num] = [pr[1] ?? "", Number(pr[2])];
    if (await known(db, sql`select 1 from pull_requests where repository = ${repo} and number = ${num}`)) {
      matchedAs.push("pullRequest");
      const shas = sql`select unnest(array[merge_commit_sha, head_sha]) from pull_requests where repository = ${repo} and number = ${num}`;
      for (const id of await ids(db, sql`select d.id from deployments d where d.commit_sha in (${shas})
          or d.digest in (select b.digest from image_builds b where b.commit_sha in (${shas}))`)) found.add(id);
    }
  } else if (digestRef.test(ref)) {
    // One round trip: whether the digest is known, and its newest deployments (one past the cap, to tell truncation).
    const [row] = await queryRows<{ found: boolean; ids: (number | string)[] | null }>(
      db,
      sql`select exists (select 1 from deployments where digest = ${ref} union all select 1 from image_builds where digest = ${ref}
              union all select 1 from snapshot_workloads where digest = ${ref}) as found,
            array(select id from deployments where digest = ${ref} order by deployed_at desc, id desc limit ${max + 1}) as ids`,
    );
    if (row?.found !== true) throw notFound(`reference ${ref}`);
    const newest = (row.ids ?? []).map(Number);
    return { ref, matchedAs: ["digest"], ids: newest.slice(0, max), truncated: newest.length > max };
  } else {
    if (shaPrefix.test(ref)) {
      const inCommits = sql`select sha from commits where ${shaMatches(sql`sha`, ref)}`;
      const deployed = await ids(db, sql`select d.id from deployments d where ${shaMatches(sql`d.commit_sha`, ref)}
          or d.digest in (select b.digest from image_builds b where ${shaMatches(sql`b.commit_sha`, ref)})`);
      if (deployed.length > 0 || (await known(db, inCommits))) matchedAs.push("commit");
      for (const id of deployed) found.add(id);
    }
    const byRun = await ids(db, sql`select d.id from deployments d where d.pipeline_run_id = ${ref}
        or d.digest in (select b.digest from image_builds b where b.pipeline_run_id = ${ref})`);
    if (byRun.length > 0 || (await known(db, sql`select 1 from pipeline_runs where run_id = ${ref}`))) matchedAs.push("pipelineRun");
    for (const id of byRun) found.add(id);
  }
  if (matchedAs.length === 0) throw notFound(`reference ${ref}`);
  const newest = found.size === 0 ? [] : await ids(db, sql`select id from deployments where id in ${[...found]} order by deployed_at desc, id desc limit ${max}`);
  return { ref, matchedAs, ids: newest, truncated: found.size > max };
}
