import { inArray, or, sql } from "drizzle-orm";
import { bulkInsert, onConflictUpdate } from "@/db/bulk";
import { queryRows, type Queryable, type Transaction } from "@/db/client";
import { checkResults, deployments, pullRequests } from "@/db/schema";
import { gatherEvidence } from "../evidence/gather";
import { openFindings, resolveFindings, type FindingInput } from "../findings/store";
import { activePolicy } from "../policy/active";
import { ruleById } from "../policy/catalogue";
import { evaluateDeployment } from "../policy/evaluate";
import { attestationTypes, type DeploymentEvidence } from "../policy/evidence";
import type { CheckOutcome } from "../policy/outcome";
import type { Policy } from "../policy/settings";
import { inShard, storedInBatch, type Touched } from "../projections/touched";
import { attachProvenance } from "../provenance/attach";
import { lockRollupDays, refreshCheckRollups, refreshDeploymentRollups } from "./rollups";
import { deploymentKeys, resultsOf } from "../partitions/prune";

const serviceLevelTypes: string[] = [...attestationTypes.network, ...attestationTypes.backup, ...attestationTypes.rollback];
const BATCH = 500;

/** Re-evaluates the gate checks of every deployment whose evidence the batch touched. */
export async function evaluateGates(tx: Transaction, touched: Touched): Promise<void> {
  const ids = await inShardOnly(tx, touched, await affectedDeployments(tx, touched, activePolicy()));
  // Shards of other images may recount the same days: every day this evaluation will recount is
  // locked first, in one order, so two shards never wait on each other in a cycle.
  await lockRollupDays(tx, ids);
  await evaluateDeployments(tx, ids, activePolicy(), new Date(), touched.latestEventAt ?? undefined);
}

/**
 * The deployments (ids) whose gate checks this evaluation's shard judges: those of its images
 * (the digest, else the image reference), in order. Every deployment of an image is judged in one
 * shard, so the image's findings (`image:<repository>@<digest>`) and a promotion's staging and
 * production deployments are decided in the order their evidence was stored, as by one evaluator.
 */
async function inShardOnly(db: Queryable, touched: Touched, ids: number[]): Promise<number[]> {
  if (touched.shard === null || ids.length === 0) return ids;
  const rows = await queryRows<{ id: number | string; image: string }>(
    db,
    sql`select id, coalesce(digest, image_ref) as image from deployments where id = any(${sql.param(ids)}::bigint[]) order by id`,
  );
  return rows.filter((r) => inShard(touched, r.image)).map((r) => Number(r.id));
}

/** Gathers, evaluates and stores the checks of these deployments (ids), opening or resolving findings. */
/**
 * `resolvedAt` is when the evidence that makes a check pass arrived at its source (the batch's
 * newest event time), so a finding closes at event time, as it opened, not at processing time.
 */
export async function evaluateDeployments(db: Queryable, ids: readonly number[], policy: Policy, now = new Date(), resolvedAt = now): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    const evidence = await gatherEvidence(db, ids.slice(i, i + BATCH), policy, now);
    await attachProvenance(db, evidence, now);
    // Oldest first, so when deployments share an image the latest one's image checks stand.
    const ordered = [...evidence.values()].sort((a, b) => a.deployment.deployedAt.getTime() - b.deployment.deployedAt.getTime());
    const results = ordered.map((e) => ({ e, outcomes: evaluateDeployment(e, policy) }));
    await storeResults(db, results, policy, now);
    await storeFindings(db, results, resolvedAt, policy.version);
  }
}

/** The finding subject of an outcome: image rules are about the build, gate rules about the deployment. */
export function subjectKeyOf(ruleId: string, e: DeploymentEvidence): string {
  if (ruleId.startsWith("image.")) {
    const repository = e.build?.repository ?? e.deployment.imageRef.split(/[@:]/)[0] ?? e.deployment.imageRef;
    return `image:${repository}@${e.deployment.digest ?? e.deployment.imageRef}`;
  }
  return `deployment:${e.deployment.externalId}`;
}

type Evaluated = { e: DeploymentEvidence; outcomes: CheckOutcome[] }[];

async function storeResults(db: Queryable, results: Evaluated, policy: Policy, now: Date): Promise<void> {
  const rows = results.flatMap(({ e, outcomes }) =>
    outcomes.map((o) => ({
      deploymentId: e.deployment.id,
      deployedAt: e.deployment.deployedAt,
      ruleId: o.ruleId,
      result: o.result,
      evidence: { reason: o.reason, ...o.evidence },
      policyVersion: policy.version,
      evaluatedAt: now,
    })),
  );
  const set = {
    result: sql`excluded.result`,
    evidence: sql`excluded.evidence`,
    policyVersion: sql`excluded.policy_version`,
    evaluatedAt: sql`excluded.evaluated_at`,
  };
  // A result that did not change is not rewritten (most re-evaluations confirm what was stored):
  // evaluated_at is when the stored result was last established.
  const changed = sql`where ${checkResults.result} is distinct from excluded.result or ${checkResults.evidence} is distinct from excluded.evidence
    or ${checkResults.policyVersion} is distinct from excluded.policy_version`;
  for (let i = 0; i < rows.length; i += 10000) {
    await bulkInsert(db, checkResults, rows.slice(i, i + 10000), sql`${onConflictUpdate([checkResults.deploymentId, checkResults.ruleId, checkResults.deployedAt], set, checkResults)} ${changed}`);
  }
  const ids = results.map(({ e }) => e.deployment.id);
  await storeCheckSummaries(db, ids);
  // Already held when called from evaluateGates; taken here for the other callers (re-evaluation).
  await lockRollupDays(db, ids);
  await refreshCheckRollups(db, ids);
  await refreshDeploymentRollups(db, ids);
}

/** Re-derives the one-row summaries (check_summaries) of these deployments from their check results. */
export async function storeCheckSummaries(db: Queryable, deploymentIds: readonly number[]): Promise<void> {
  if (deploymentIds.length === 0) return;
  const keys = await deploymentKeys(db, deploymentIds);
  if (keys.ids.length === 0) return;
  await db.execute(sql`insert into check_summaries (deployment_id, rules, results)
    select cr.deployment_id, jsonb_agg(cr.rule_id order by cr.rule_id collate "C"), jsonb_agg(cr.result order by cr.rule_id collate "C")
    from check_results cr where ${resultsOf(keys, sql`cr`)} group by cr.deployment_id
    on conflict (deployment_id) do update set rules = excluded.rules, results = excluded.results
    where check_summaries.rules is distinct from excluded.rules or check_summaries.results is distinct from excluded.results`);
}

async function storeFindings(db: Queryable, results: Evaluated, now: Date, policyVersion: string): Promise<void> {
  // Oldest first: when deployments share an image subject, the latest outcome stands.
  const last = new Map<string, { ruleId: string; subjectKey: string; input: FindingInput | null }>();
  for (const { e, outcomes } of results) {
    for (const o of outcomes) {
      const subjectKey = subjectKeyOf(o.ruleId, e);
      const key = `${o.ruleId}\u0000${subjectKey}`;
      if (o.result === "fail") {
        last.set(key, {
          ruleId: o.ruleId,
          subjectKey,
          input: {
            ruleId: o.ruleId,
            subjectKey,
            environment: e.deployment.environment,
            service: e.deployment.service,
            deploymentId: e.deployment.id,
            actor: e.deployment.actor,
            summary: o.reason,
            evidence: { deployment: e.deployment.externalId, digest: e.deployment.digest, ...o.evidence },
            observedAt: e.deployment.deployedAt,
            policyVersion,
          },
        });
      } else if (o.result === "pass") {
        last.set(key, { ruleId: o.ruleId, subjectKey, input: null });
      }
    }
  }
  const open: FindingInput[] = [];
  const passed = new Map<string, string[]>();
  for (const v of last.values()) {
    if (v.input) open.push(v.input);
    else passed.set(v.ruleId, [...(passed.get(v.ruleId) ?? []), v.subjectKey]);
  }
  await openFindings(db, open);
  for (const [ruleId, keys] of passed) {
    await resolveFindings(db, ruleById(ruleId).id, keys, now, "a later evaluation passed");
  }
}

/**
 * The deployments whose evidence the batch touched: by key, digest, commit (directly, through
 * their build, or through a pull request), and by service-level attestations and builds stored in
 * the batch (see storedInBatch: `created_at` is the storing transaction's start time).
 */
export async function affectedDeployments(db: Queryable, touched: Touched, policy: Pick<Policy, "retainedImages">): Promise<number[]> {
  const keys = [...touched.deploymentKeys];
  const digests = new Set(touched.digests);
  const shas = new Set(touched.commitShas);
  if (keys.length > 0) {
    const rows = await db.select({ digest: deployments.digest, commitSha: deployments.commitSha }).from(deployments).where(inArray(deployments.externalId, keys));
    for (const r of rows) {
      if (r.digest) digests.add(r.digest);
      if (r.commitSha) shas.add(r.commitSha);
    }
  }
  const prKeys = [...touched.pullRequests];
  if (prKeys.length > 0 || shas.size > 0) {
    const prs = await db
      .select({ mergeCommitSha: pullRequests.mergeCommitSha, headSha: pullRequests.headSha })
      .from(pullRequests)
      .where(
        or(
          prKeys.length > 0 ? sql`${pullRequests.repository} || '#' || ${pullRequests.number} in ${prKeys}` : sql`false`,
          shas.size > 0 ? inArray(pullRequests.headSha, [...shas]) : sql`false`,
        ),
      );
    for (const p of prs) {
      if (p.mergeCommitSha) shas.add(p.mergeCommitSha);
      if (p.headSha) shas.add(p.headSha);
    }
  }
  const found = new Set<number>();
  const add = (rows: { id: number | string }[]) => rows.forEach((r) => found.add(Number(r.id)));
  const d = [...digests];
  const s = [...shas];
  if (keys.length + d.length + s.length > 0) {
    add(
      await queryRows<{ id: number }>(
        db,
        sql`select d.id from deployments d where ${keys.length > 0 ? sql`d.external_id in ${keys}` : sql`false`}
            or ${d.length > 0 ? sql`d.digest in ${d}` : sql`false`}
            or ${s.length > 0 ? sql`d.commit_sha in ${s} or d.digest in (select b.digest from image_builds b where b.commit_sha in ${s})` : sql`false`}`,
      ),
    );
  }
  if (touched.services.size > 0) {
    // A service-level attestation decides the deployments from its time up to the next one of its
    // type for the same service and environment (`until`: two index probes for each attestation of
    // the batch, by service and by subject, in a materialized CTE so that they run once per
    // attestation; the deployments are then one index range each). What it replaced: a probe, for
    // every deployment after every attestation, of whether a newer one came between (59,912 for the
    // 1,488 attestations of two demo histories); then a window over each key's attestations joined
    // back, which a burst into fresh tables (row estimates of 1) planned as a nested loop running
    // the window once per attestation (~1 s for one demo history); then these probes, unmaterialized,
    // which the planner ran once per deployment row instead (239,648 times, 2.4 s for four).
    add(
      await queryRows<{ id: number }>(
        db,
        sql`with a as materialized (
              select a.type, coalesce(a.service, a.subject) as svc, a.environment, a.observed_at,
                least(
                  (select min(n.observed_at) from attestations n where n.service = coalesce(a.service, a.subject) and n.type = a.type
                     and n.environment is not distinct from a.environment and n.observed_at > a.observed_at),
                  (select min(n.observed_at) from attestations n where n.service is null and n.subject = coalesce(a.service, a.subject) and n.type = a.type
                     and n.environment is not distinct from a.environment and n.observed_at > a.observed_at)) as until
              from attestations a
              where ${storedInBatch(touched, sql`a.created_at`)} and a.type in ${serviceLevelTypes})
            select distinct d.id from a
            join deployments d on d.service = a.svc and d.deployed_at >= a.observed_at and d.deployed_at < coalesce(a.until, 'infinity'::timestamptz)
              and (a.environment is null or a.environment = d.environment or a.type in ${[...attestationTypes.rollback]})`,
      ),
    );
    add(
      await queryRows<{ id: number }>(
        db,
        sql`select d.id from deployments d where d.service in (
              select b.service from image_builds b where ${storedInBatch(touched, sql`b.created_at`)} and cardinality(b.tags) > 0
                and (select count(*) from (select 1 from image_builds c where c.service = b.service and cardinality(c.tags) > 0
                     and not (${storedInBatch(touched, sql`c.created_at`)}) limit ${policy.retainedImages}) x) < ${policy.retainedImages})`,
      ),
    );
  }
  return [...found].sort((a, b) => a - b);
}
