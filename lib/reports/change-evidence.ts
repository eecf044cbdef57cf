import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { type ChangeRow } from "./population";
import { deploymentKeys, resultsOf } from "../partitions/prune";
import { describeSource, sourceOfRow } from "../evidence/source";
import { evidenceSummary, inWords, ruleTitle } from "./rule-text";

/** One labelled line of a chain link, as the PDF evidence page and the JSON report show it. */
export type Facts = [label: string, value: string][];

export interface ChangeEvidence {
  change: ChangeRow;
  /** Where the deployment record came from. */
  deploymentSource: string;
  build: Facts | null;
  pipelineRun: Facts | null;
  commit: Facts | null;
  pullRequest: Facts | null;
  reviews: string[];
  attestations: string[];
  gateResults: { ruleId: string; title: string; result: string; evidence: string; policyVersion: string }[];
  findings: string[];
  /** The gates asked before the change (decisions for its digest in its environment), oldest first. */
  decisions: string[];
  /** Links of the chain with no record: build, pipeline run, commit, pull request, approval, staging. */
  missing: string[];
}

const iso = (v: Date | string | null | undefined): string => (v === null || v === undefined ? "" : new Date(v).toISOString());
type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === null || v === undefined ? "" : v instanceof Date ? v.toISOString() : String(v));
/** Where a row came from, in words (lib/evidence/source.ts). */
const from = (r: Row): string => describeSource(sourceOfRow({ sourceKind: s(r.source_kind), sourceId: s(r.source_id), sourceVerified: r.source_verified === true }));

/**
 * The whole chain of one change: queried directly here (lib/evidence's chain functions were not
 * in the tree when reports were written); a handful of indexed look-ups per change.
 */
export async function changeEvidence(db: Queryable, change: ChangeRow): Promise<ChangeEvidence> {
  const id = change.deploymentId;
  const [dep] = await queryRows<Row>(db, sql`select * from deployments where id = ${id}`);
  const digest = change.imageDigest || null;
  const [build] = digest
    ? await queryRows<Row>(db, sql`select * from image_builds where digest = ${digest} order by (service = ${change.service}) desc nulls last, id limit 1`)
    : [];
  const runId = s(dep?.pipeline_run_id) || s(build?.pipeline_run_id) || null;
  const [run] = runId ? await queryRows<Row>(db, sql`select * from pipeline_runs where run_id = ${runId} order by attempt desc limit 1`) : [];
  const sha = change.commitSha || s(build?.commit_sha) || null;
  const [commit] = sha ? await queryRows<Row>(db, sql`select * from commits where sha = ${sha}`) : [];
  const [pr] = sha
    ? await queryRows<Row>(
        db,
        sql`select * from pull_requests where merge_commit_sha = ${sha} or head_sha = ${sha} order by (merge_commit_sha = ${sha}) desc nulls last, merged desc, id limit 1`,
      )
    : [];
  const reviews = pr
    ? await queryRows<Row>(db, sql`select * from reviews where repository = ${s(pr.repository)} and pull_number = ${Number(pr.number)} order by submitted_at, id`)
    : [];
  const atts = digest ? await queryRows<Row>(db, sql`select * from attestations where subject = ${digest} order by observed_at, id limit 30`) : [];
  const gates = await queryRows<Row>(db, sql`select * from check_results cr where ${resultsOf(await deploymentKeys(db, [Number(id)]), sql`cr`)} order by rule_id`);
  const findings = await queryRows<Row>(db, sql`select * from findings where deployment_id = ${id} order by opened_at, id`);
  const decisions = digest
    ? await queryRows<Row>(
        db,
        sql`select * from gate_decisions where digest = ${digest} and environment = ${change.environment} and decided_at <= ${dep?.deployed_at ?? new Date()}::timestamptz + interval '1 hour' order by decided_at, id limit 20`,
      )
    : [];

  const approvals = reviews.filter((r) => s(r.state).toLowerCase() === "approved");
  const missing = [
    ...(build ? [] : ["build"]),
    ...(run ? [] : ["pipeline run"]),
    ...(commit ? [] : ["commit"]),
    ...(pr ? [] : ["pull request"]),
    ...(approvals.length > 0 ? [] : ["approval"]),
    ...(change.stagingDeployment ? [] : ["staging deployment of this digest"]),
  ];
  const scan = build?.scan as { counts?: Record<string, number>; passed?: boolean } | null | undefined;
  return {
    change,
    deploymentSource: dep ? from(dep) : "",
    build: build
      ? [
          ["Image", `${s(build.repository)}@${s(build.digest)}`],
          ["Tags", Array.isArray(build.tags) ? build.tags.join(", ") : s(build.tags)],
          ["Built from commit", s(build.commit_sha)],
          ["Builder", s(build.builder)],
          ["Pipeline run", s(build.pipeline_run_id)],
          ["Built at", iso(build.built_at as string)],
          ["Vulnerability scan", scan ? scanInWords(scan) : "none recorded"],
          ["Source", from(build)],
        ]
      : null,
    pipelineRun: run
      ? [
          ["Run", `${s(run.provider)} ${s(run.run_id)} attempt ${s(run.attempt)}`],
          ["Workflow", s(run.workflow)],
          ["Trigger", `${s(run.event)} by ${s(run.triggering_actor) || s(run.actor)}`],
          ["Result", `${s(run.status)} / ${s(run.conclusion)}`],
          ["Link", s(run.url)],
          ["Source", from(run)],
        ]
      : null,
    commit: commit
      ? [
          ["SHA", s(commit.sha)],
          ["Repository", s(commit.repository)],
          ["Author", s(commit.author_login) || s(commit.author_name)],
          ["Message", s(commit.message).split("\n")[0] ?? ""],
          ["Committed at", iso(commit.committed_at as string | null)],
          ["Source", from(commit)],
        ]
      : null,
    pullRequest: pr
      ? [
          ["Pull request", `${s(pr.repository)}#${s(pr.number)}: ${s(pr.title)}`],
          ["Opened by", `${s(pr.author)} at ${iso(pr.opened_at as string | null)}`],
          ["Merged", pr.merged ? `by ${s(pr.merged_by)} at ${iso(pr.merged_at as string | null)}` : "not merged"],
          ["Merge commit", s(pr.merge_commit_sha)],
          ["Link", s(pr.url)],
          ["Source", from(pr)],
        ]
      : null,
    reviews: reviews.map((r) => `${s(r.reviewer)}: ${s(r.state)} at ${iso(r.submitted_at as string)}${r.commit_sha ? ` on ${s(r.commit_sha).slice(0, 12)}` : ""}, from ${from(r)}`),
    attestations: atts.map((a) => `${s(a.type)}: ${s(a.result)} in ${s(a.environment) || "-"} at ${iso(a.observed_at as string)}${a.actor ? ` by ${s(a.actor)}` : ""}, from ${from(a)}`),
    gateResults: gates.map((g) => ({
      ruleId: s(g.rule_id),
      title: ruleTitle(s(g.rule_id)),
      result: s(g.result),
      evidence: evidenceSummary(g.evidence, 300),
      policyVersion: s(g.policy_version),
    })),
    findings: findings.map((f) => `#${s(f.id)} ${s(f.rule_id)} (${s(f.status)}): ${s(f.summary)}`),
    decisions: decisions.map((d) => decisionLine(d)),
    missing,
  };
}

/** `passed: 1 low, 2 medium findings`, or `passed: no findings`. */
export function scanInWords(scan: { counts?: Record<string, number>; passed?: boolean }): string {
  const counts = Object.entries(scan.counts ?? {}).filter(([, n]) => typeof n === "number" && n > 0);
  const found = counts.length > 0 ? `${counts.map(([level, n]) => `${n} ${inWords(level)}`).join(", ")} vulnerabilities` : "no vulnerabilities";
  return `${scan.passed === false ? "failed" : "passed"}: ${found}`;
}

function decisionLine(d: Row): string {
  const checks = Array.isArray(d.checks) ? (d.checks as { ruleId?: string; waived?: boolean }[]) : [];
  const failed = checks.map((c) => `${c.ruleId ?? "?"}${c.waived ? " (waived)" : ""}`).join(", ");
  const glass = d.break_glass ? `, break glass by ${s((d.break_glass as Row).person)}: ${s((d.break_glass as Row).reason)}` : "";
  return `${iso(d.decided_at as string)} ${s(d.gate)}: ${s(d.decision)} for ${s(d.requested_by)} (policy ${s(d.policy_version)}, ${s(d.decision_id)})${failed ? ` failed: ${failed}` : ""}${glass}`;
}
