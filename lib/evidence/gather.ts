import { and, inArray, lte, or, sql } from "drizzle-orm";
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
  type Environment,
  type ImageBuild,
  type PipelineRun,
  type PullRequest,
} from "@/db/schema";
import { attestationTypes, groupAttestations, type DeploymentEvidence } from "../policy/evidence";
import { type Policy } from "../policy/settings";

const serviceLevelTypes: string[] = [...attestationTypes.network, ...attestationTypes.backup, ...attestationTypes.rollback];
const uniq = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined))];

/** The environments that come right before production (staging), from their ranks. */
export function preProductionEnvironments(envs: Pick<Environment, "name" | "rank" | "isProduction">[]): string[] {
  const prodRank = Math.min(...envs.filter((e) => e.isProduction).map((e) => e.rank));
  const below = envs.filter((e) => !e.isProduction && e.rank > 0 && e.rank < prodRank);
  const top = Math.max(...below.map((e) => e.rank));
  return below.filter((e) => e.rank === top).map((e) => e.name);
}

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

/**
 * Links the evidence of many deployments at once, with a fixed number of set-based queries
 * whatever the count. Deployments that do not exist are left out of the map.
 */
export async function gatherEvidence(
  db: Queryable,
  deploymentIds: readonly number[],
  policy: Pick<Policy, "retainedImages">,
  now: Date = new Date(),
): Promise<Map<number, DeploymentEvidence>> {
  const out = new Map<number, DeploymentEvidence>();
  if (deploymentIds.length === 0) return out;
  const deps = await db.select().from(deployments).where(inArray(deployments.id, [...deploymentIds]));
  if (deps.length === 0) return out;
  const envs = await db.select().from(environments);
  const digests = uniq(deps.map((d) => d.digest));
  const builds = digests.length > 0 ? await db.select().from(imageBuilds).where(inArray(imageBuilds.digest, digests)) : [];
  const buildOf = new Map(deps.map((d) => [d.id, pickBuild(builds, d)]));
  const runIds = uniq([...deps.map((d) => d.pipelineRunId), ...builds.map((b) => b.pipelineRunId)]);
  const runs = runIds.length > 0 ? await db.select().from(pipelineRuns).where(inArray(pipelineRuns.runId, runIds)) : [];
  const shaOf = (d: Deployment) => buildOf.get(d.id)?.commitSha ?? d.commitSha;
  const shas = uniq(deps.map(shaOf));
  const prs =
    shas.length > 0
      ? await db.select().from(pullRequests).where(or(inArray(pullRequests.mergeCommitSha, shas), inArray(pullRequests.headSha, shas)))
      : [];
  const prOf = new Map(deps.map((d) => [d.id, pickPullRequest(prs, shaOf(d))]));
  const linkedPrs = uniq([...prOf.values()]);
  const commitShas = uniq([...shas, ...linkedPrs.map((p) => p.headSha)]);
  const commitRows = commitShas.length > 0 ? await db.select().from(commits).where(inArray(commits.sha, commitShas)) : [];
  const reviewRows =
    linkedPrs.length > 0
      ? await db
          .select()
          .from(reviews)
          .where(and(inArray(reviews.repository, uniq(linkedPrs.map((p) => p.repository))), inArray(reviews.pullNumber, uniq(linkedPrs.map((p) => p.number)))))
      : [];
  const mergeShas = uniq(linkedPrs.map((p) => p.mergeCommitSha));
  const checkRows = mergeShas.length > 0 ? await db.select().from(checkRuns).where(inArray(checkRuns.headSha, mergeShas)) : [];
  const prodDeps = deps.filter((d) => envs.find((e) => e.name === d.environment)?.isProduction === true);
  const staging = await stagingCandidates(db, prodDeps, preProductionEnvironments(envs), shaOf);
  const services = uniq(deps.map((d) => d.service));
  const latestDeploy = new Date(Math.max(...deps.map((d) => d.deployedAt.getTime())));
  const attestationRows = await db
    .select()
    .from(attestations)
    .where(
      or(
        digests.length > 0 ? inArray(attestations.subject, digests) : sql`false`,
        and(inArray(attestations.service, services), inArray(attestations.type, serviceLevelTypes), lte(attestations.observedAt, latestDeploy)),
      ),
    );
  const retained = await retainedImageCounts(db, services, policy.retainedImages);

  for (const d of deps) {
    const env = envs.find((e) => e.name === d.environment) ?? { name: d.environment, rank: 0, isProduction: false };
    const build = buildOf.get(d.id) ?? null;
    const pr = prOf.get(d.id) ?? null;
    const sha = shaOf(d);
    out.set(d.id, {
      deployment: d,
      environment: { name: env.name, rank: env.rank, isProduction: env.isProduction },
      build,
      buildRun: build ? pickRun(runs, build.pipelineProvider, build.pipelineRunId) : null,
      deployRun: pickRun(runs, d.pipelineProvider, d.pipelineRunId),
      commit: commitRows.find((c) => c.sha === sha) ?? null,
      pullRequest: pr,
      pullRequestCommits: pr?.headSha ? commitRows.filter((c) => c.sha === pr.headSha) : [],
      reviews: pr ? reviewRows.filter((r) => r.repository === pr.repository && r.pullNumber === pr.number) : [],
      checkRuns: pr?.mergeCommitSha ? checkRows.filter((c) => c.headSha === pr.mergeCommitSha) : [],
      stagingDeployments: env.isProduction
        ? staging.filter((s) => s.service === d.service && ((d.digest !== null && s.digest === d.digest) || (sha !== null && s.commitSha === sha)))
        : [],
      attestations: groupAttestations(attestationRows.filter((a) => relevantTo(a, d, env.isProduction))),
      retainedImages: retained.get(d.service) ?? null,
      now,
    });
  }
  return out;
}

async function stagingCandidates(
  db: Queryable,
  prodDeps: Deployment[],
  stagingEnvs: string[],
  shaOf: (d: Deployment) => string | null,
): Promise<Deployment[]> {
  if (prodDeps.length === 0 || stagingEnvs.length === 0) return [];
  const digests = uniq(prodDeps.map((d) => d.digest));
  const shas = uniq(prodDeps.map(shaOf));
  return db
    .select()
    .from(deployments)
    .where(
      and(
        inArray(deployments.environment, stagingEnvs),
        inArray(deployments.service, uniq(prodDeps.map((d) => d.service))),
        or(digests.length > 0 ? inArray(deployments.digest, digests) : sql`false`, shas.length > 0 ? inArray(deployments.commitSha, shas) : sql`false`),
      ),
    );
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

/**
 * Tagged builds of each service on record, counted up to the policy threshold: beyond it the
 * answer cannot change, so further builds need not re-open old results. Null when none is known.
 */
async function retainedImageCounts(db: Queryable, services: string[], cap: number): Promise<Map<string, number | null>> {
  if (services.length === 0) return new Map();
  const rows = await queryRows<{ service: string; n: number | string }>(
    db,
    sql`select s.name as service, (select count(*) from (select 1 from image_builds b
          where b.service = s.name and cardinality(b.tags) > 0 limit ${cap}) x) as n
        from services s where s.name in ${services}`,
  );
  return new Map(rows.map((r) => [r.service, Number(r.n) === 0 ? null : Number(r.n)]));
}
