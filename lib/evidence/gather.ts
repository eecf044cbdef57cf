import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import {
  attestations,
  checkRuns,
  commits,
  deployments,
  environments,
  imageBuilds,
  pipelineRuns,
  pullRequests,
  reviews,
  type Attestation,
  type Deployment,
  type ImageBuild,
  type PipelineRun,
  type PullRequest,
} from "@/db/schema";
import { attestationTypes, groupAttestations, type DeploymentEvidence, type SetAsideFact } from "../policy/evidence";
import { type Policy } from "../policy/settings";
import { rowsFromJson } from "./json-rows";
import { retainedImagesSql } from "./retention";
import { refs, SourceJudge } from "./source-policy";

const serviceLevelTypes: string[] = [...attestationTypes.network, ...attestationTypes.backup, ...attestationTypes.rollback];

/** Several builds may share a digest (mirrored repositories): prefer the one of the same service. */
function pickBuild(builds: ImageBuild[], d: Deployment): ImageBuild | null {
  const same = builds.filter((b) => b.digest === d.digest);
  return same.find((b) => b.service === d.service) ?? same[0] ?? null;
}

/** A re-run keeps its run id; the latest attempt is the one that stands. */
function pickRun(runs: PipelineRun[], provider: string | null, runId: string | null): PipelineRun | null {
  if (runId === null) return null;
  const matching = runs.filter((r) => r.runId === runId && (provider === null || r.provider === provider));
  return matching.reduce<PipelineRun | null>((best, r) => (best === null || r.attempt > best.attempt ? r : best), null);
}

function pickPullRequest(prs: PullRequest[], sha: string | null): PullRequest | null {
  if (sha === null) return null;
  return prs.find((p) => p.mergeCommitSha === sha) ?? prs.find((p) => p.headSha === sha) ?? null;
}

type GatherRow = {
  deployments: unknown;
  environments: unknown;
  builds: unknown;
  runs: unknown;
  prs: unknown;
  commits: unknown;
  reviews: unknown;
  checks: unknown;
  staging: unknown;
  attestations: unknown;
  retained: { service: string; n: number | string }[] | null;
  webhook_repos: string[] | null;
};

const agg = (cte: string, order = "id"): SQL => sql.raw(`(select coalesce(json_agg(x order by x.${order}), '[]'::json) from ${cte} x)`);

/**
 * Every record the linking may need, for all the deployments, in one statement (one round trip,
 * each step an index probe): builds of their digests, runs, pull requests of any commit involved,
 * their commits, reviews and check runs, staging deployments of production targets, attestations
 * and retained image counts. Each set is a superset of what one deployment links to; the linking
 * below picks exact matches, as it did when every link was a query of its own.
 */
export function gatherQuery(ids: readonly number[], retainedCap: number): SQL {
  return sql`with
    d as (select * from deployments where id = any(${sql.param([...ids])}::bigint[])),
    envs as (select * from environments),
    b as (select * from image_builds where digest = any(array(select digest from d))),
    sha as (select commit_sha from d where commit_sha is not null union select commit_sha from b where commit_sha is not null),
    runs as (select * from pipeline_runs where run_id = any(array(select pipeline_run_id from d union select pipeline_run_id from b))),
    prs as (select * from pull_requests where merge_commit_sha = any(array(select commit_sha from sha)) or head_sha = any(array(select commit_sha from sha))),
    cm as (select * from commits where sha = any(array(select commit_sha from sha union select head_sha from prs))),
    rv as (select * from reviews where (repository, pull_number) in (select repository, number from prs)),
    ck as (select * from check_runs where head_sha = any(array(select merge_commit_sha from prs))),
    prod as (select d.* from d join envs e on e.name = d.environment and e.is_production),
    -- staging: the highest-ranked environments between development (rank 0) and production
    pre as (select name, rank from envs where not is_production and rank > 0 and rank < (select min(rank) from envs where is_production)),
    stg as (select * from deployments
      where (digest = any(array(select digest from prod))
          or commit_sha = any(array(select commit_sha from prod union select commit_sha from b where digest in (select digest from prod))))
        and environment = any(array(select name from pre where rank = (select max(rank) from pre)))
        and service = any(array(select service from prod))),
    att as (select * from attestations
      where subject = any(array(select digest from d))
        or (service = any(array(select service from d)) and type = any(${sql.param(serviceLevelTypes)}::text[])
          and observed_at <= (select max(deployed_at) from d))),
    ret as (select s.name as service, ${retainedImagesSql(sql`s.name`, retainedCap)} as n
      from services s where s.name = any(array(select service from d))),
    wh as (select repository from webhook_repositories
      where repository = any(array(select repository from prs union select repository from cm union select repository from runs where repository is not null)))
    select ${agg("d")} as deployments, ${agg("envs", "name")} as environments, ${agg("b")} as builds, ${agg("runs")} as runs,
      ${agg("prs")} as prs, ${agg("cm", "sha")} as commits, ${agg("rv")} as reviews, ${agg("ck")} as checks, ${agg("stg")} as staging,
      ${agg("att")} as attestations, (select json_agg(x) from ret x) as retained, (select json_agg(repository) from wh) as webhook_repos`;
}

/**
 * Links the evidence of many deployments at once, with one set-based statement whatever the
 * count. Deployments that do not exist are left out of the map.
 */
export async function gatherEvidence(
  db: Queryable,
  deploymentIds: readonly number[],
  policy: Pick<Policy, "retainedImages" | "evidenceSources">,
  now: Date = new Date(),
): Promise<Map<number, DeploymentEvidence>> {
  const out = new Map<number, DeploymentEvidence>();
  if (deploymentIds.length === 0) return out;
  const [row] = await queryRows<GatherRow>(db, gatherQuery(deploymentIds, policy.retainedImages));
  if (row === undefined) return out;
  const deps = rowsFromJson(deployments, row.deployments);
  const envs = new Map(rowsFromJson(environments, row.environments).map((e) => [e.name, e]));
  const builds = rowsFromJson(imageBuilds, row.builds);
  const runs = rowsFromJson(pipelineRuns, row.runs);
  const prs = rowsFromJson(pullRequests, row.prs);
  const commitRows = rowsFromJson(commits, row.commits);
  const reviewRows = rowsFromJson(reviews, row.reviews);
  const checkRows = rowsFromJson(checkRuns, row.checks);
  const staging = rowsFromJson(deployments, row.staging);
  const attestationRows = rowsFromJson(attestations, row.attestations);
  const retained = new Map((row.retained ?? []).map((r) => [r.service, Number(r.n) === 0 ? null : Number(r.n)]));
  const judge = new SourceJudge(policy, new Set(row.webhook_repos ?? []));
  // Indexed once, so linking N deployments is linear: a state-at links hundreds at a time, and a
  // filter of every gathered set per deployment grew with the square of their number. Each lookup
  // keeps the rows in the order the statement returned them, as the filters did.
  const buildsByDigest = groupBy(builds, (b) => b.digest);
  const runsById = groupBy(runs, (r) => r.runId);
  const prsByMerge = groupBy(prs, (p) => p.mergeCommitSha);
  const prsByHead = groupBy(prs, (p) => p.headSha);
  const commitsBySha = groupBy(commitRows, (c) => c.sha);
  const reviewsByPull = groupBy(reviewRows, (r) => `${r.repository}\u0000${r.pullNumber}`);
  const checksBySha = groupBy(checkRows, (c) => c.headSha);
  const stagingByService = groupBy(staging, (s) => s.service);
  const attestationsBySubject = groupBy(attestationRows, (a) => a.subject);
  const attestationsByService = groupBy(attestationRows, (a) => a.service);
  const prOrder = new Map(prs.map((p, i) => [p, i]));
  const attestationOrder = new Map(attestationRows.map((a, i) => [a, i]));

  for (const d of deps) {
    const env = envs.get(d.environment) ?? { name: d.environment, rank: 0, isProduction: false };
    // Facts whose source the policy refuses are set aside here: no check sees them, the chain shows them.
    const aside: SetAsideFact[] = [];
    if (!judge.accepts("deployment", d, null)) judge.filter("deployment", [d], () => null, refs.deployment, aside);
    const build = pickBuild(judge.filter("image_build", (d.digest === null ? undefined : buildsByDigest.get(d.digest)) ?? [], () => null, refs.build, aside), d);
    const runsOf = (provider: string | null, runId: string | null) =>
      judge.filter("pipeline_run", (runId === null ? [] : (runsById.get(runId) ?? [])).filter((r) => provider === null || r.provider === provider), (r) => r.repository, refs.run, aside);
    const sha = build?.commitSha ?? d.commitSha;
    const pr = pickPullRequest(
      judge.filter("pull_request", sha === null ? [] : union(prOrder, prsByMerge.get(sha), prsByHead.get(sha)), (p) => p.repository, refs.pullRequest, aside),
      sha,
    );
    const commit = judge.filter("commit", (sha === null ? [] : (commitsBySha.get(sha) ?? [])), (c) => c.repository, refs.commit, aside)[0] ?? null;
    out.set(d.id, {
      deployment: d,
      environment: { name: env.name, rank: env.rank, isProduction: env.isProduction },
      build,
      buildRun: build ? pickRun(runsOf(build.pipelineProvider, build.pipelineRunId), build.pipelineProvider, build.pipelineRunId) : null,
      deployRun: pickRun(runsOf(d.pipelineProvider, d.pipelineRunId), d.pipelineProvider, d.pipelineRunId),
      commit,
      pullRequest: pr,
      pullRequestCommits: pr?.headSha ? judge.filter("commit", (commitsBySha.get(pr.headSha) ?? []), (c) => c.repository, refs.commit, aside) : [],
      reviews: pr ? judge.filter("review", (reviewsByPull.get(`${pr.repository}\u0000${pr.number}`) ?? []), (r) => r.repository, refs.review, aside) : [],
      checkRuns: pr?.mergeCommitSha ? judge.filter("check_run", (checksBySha.get(pr.mergeCommitSha) ?? []), (c) => c.repository, refs.checkRun, aside) : [],
      stagingDeployments: env.isProduction
        ? judge.filter(
            "deployment",
            (stagingByService.get(d.service) ?? []).filter((s) => ((d.digest !== null && s.digest === d.digest) || (sha !== null && s.commitSha === sha))),
            () => null,
            refs.deployment,
            aside,
          )
        : [],
      attestations: groupAttestations(judge.filter("attestation", union(attestationOrder, d.digest === null ? undefined : attestationsBySubject.get(d.digest), attestationsByService.get(d.service), attestationsBySubject.get(d.service)).filter((a) =>
              relevantTo(a, d, env.isProduction),
            ), () => null, refs.attestation, aside)),
      retainedImages: retained.get(d.service) ?? null,
      now,
      setAside: [...new Map(aside.map((a) => [`${a.fact}\u0000${a.ref}\u0000${a.source.kind}\u0000${a.source.id}`, a])).values()],
    });
  }
  return out;
}

/** The rows by a key, each list in the rows' order. */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list === undefined) out.set(k, [row]);
    else list.push(row);
  }
  return out;
}

/** The rows of several lookups, each once, in their order in the gathered set (`order`). */
function union<T>(order: Map<T, number>, ...lists: (readonly T[] | undefined)[]): T[] {
  const present = lists.filter((l): l is readonly T[] => l !== undefined && l.length > 0);
  if (present.length <= 1) return [...(present[0] ?? [])];
  return [...new Set(present.flat())].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/**
 * Digest-subject attestations (staging verification, scans) belong to the image wherever they were
 * recorded. Network and backup checks are about the service in the target environment. A
 * production apply needs a rollback test of its own digest (run in staging); earlier stages accept
 * the service's latest rollback test, since theirs is only run after they deploy.
 */
function relevantTo(a: Attestation, d: Deployment, isProduction: boolean): boolean {
  const ofDigest = d.digest !== null && a.subject === d.digest;
  if ((attestationTypes.rollback as readonly string[]).includes(a.type)) return isProduction ? ofDigest : a.service === d.service || ofDigest;
  if (serviceLevelTypes.includes(a.type)) {
    const aboutService = a.service === d.service || a.subject === d.service || ofDigest;
    return aboutService && (a.environment === null || a.environment === d.environment);
  }
  return ofDigest;
}
