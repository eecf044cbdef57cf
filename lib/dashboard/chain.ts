import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { isRuleId, ruleById, rules } from "@/lib/policy";
import { ruleTitle } from "./findings";
import { toIso } from "./period";

export interface GateCheck {
  ruleId: string;
  ruleTitle: string;
  gate: string;
  result: string;
  evidence: Record<string, unknown>;
  controls: string[];
}

export interface DeploymentChain {
  deployment: {
    id: number; service: string; environment: string; imageRef: string; digest: string | null; actor: string | null;
    actorType: string; changeType: string; status: string; description: string | null; deployedAt: string; manifestCommitSha: string | null;
  };
  build: { repository: string; digest: string; tags: string[]; builder: string | null; builtAt: string } | null;
  pipelineRun: { provider: string; runId: string; attempt: number; workflow: string | null; actor: string | null; conclusion: string | null; url: string | null } | null;
  commit: { sha: string; repository: string; message: string; author: string | null; committedAt: string | null; url: string | null } | null;
  pullRequest: { repository: string; number: number; title: string; author: string | null; mergedBy: string | null; mergedAt: string | null; url: string | null } | null;
  approvers: { reviewer: string; submittedAt: string }[];
  gates: GateCheck[];
  findings: { id: number; ruleId: string; ruleTitle: string; status: string; summary: string }[];
  /** Links of the chain with no record, named as in the API. */
  missing: string[];
}

type Row = Record<string, unknown>;
/** Checks are listed in the catalogue's order: merge, deployment, production apply, then image. */
const catalogueOrder = (id: string) => {
  const i = rules.findIndex((r) => r.id === id);
  return i < 0 ? rules.length : i;
};
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const iso = (v: unknown): string | null => toIso(v instanceof Date || typeof v === "string" ? v : null);

/** One deployment with every link back to the approved change. */
export async function deploymentChain(db: Queryable, id: number): Promise<DeploymentChain | null> {
  const [d] = await queryRows<Row>(db, sql`select * from deployments where id = ${id}`);
  if (!d) return null;
  const digest = str(d.digest);
  const commitSha = str(d.commit_sha);
  const [build] = digest
    ? await queryRows<Row>(db, sql`select * from image_builds where digest = ${digest} order by built_at limit 1`)
    : [];
  const runId = str(d.pipeline_run_id) ?? str(build?.pipeline_run_id);
  const [run] = runId
    ? await queryRows<Row>(db, sql`select * from pipeline_runs where run_id = ${runId} order by attempt desc limit 1`)
    : [];
  const sha = commitSha ?? str(build?.commit_sha);
  const [commit] = sha ? await queryRows<Row>(db, sql`select * from commits where sha = ${sha}`) : [];
  const [pr] = sha
    ? await queryRows<Row>(
        db,
        // As the evidence chain and the reports choose: the PR this is the merge commit of, else one it heads (merged first).
        sql`select * from pull_requests where merge_commit_sha = ${sha} or head_sha = ${sha}
            order by (merge_commit_sha = ${sha}) desc nulls last, merged desc, id limit 1`,
      )
    : [];
  const approvals = pr
    ? await queryRows<Row>(
        db,
        sql`select reviewer, max(submitted_at) as submitted_at from reviews
            where repository = ${str(pr.repository)} and pull_number = ${Number(pr.number)} and state = 'approved'
            group by reviewer order by 2`,
      )
    : [];
  const checks = await queryRows<Row>(db, sql`select rule_id, result, evidence from check_results where deployment_id = ${id} order by rule_id`);
  const findings = await queryRows<Row>(
    db,
    sql`select id, rule_id, status, summary from findings where deployment_id = ${id} order by opened_at`,
  );
  const missing = [
    build ? null : "build", run ? null : "pipelineRun", commit ? null : "commit", pr ? null : "pullRequest",
    approvals.length > 0 ? null : "approval",
  ].filter((m): m is string => m !== null);
  return {
    deployment: {
      id, service: String(d.service), environment: String(d.environment), imageRef: String(d.image_ref), digest,
      actor: str(d.actor), actorType: String(d.actor_type), changeType: String(d.change_type), status: String(d.status),
      description: str(d.description), deployedAt: iso(d.deployed_at) ?? "", manifestCommitSha: str(d.manifest_commit_sha),
    },
    build: build
      ? { repository: String(build.repository), digest: String(build.digest), tags: (build.tags as string[] | null) ?? [], builder: str(build.builder), builtAt: iso(build.built_at) ?? "" }
      : null,
    pipelineRun: run
      ? { provider: String(run.provider), runId: String(run.run_id), attempt: Number(run.attempt), workflow: str(run.workflow), actor: str(run.actor), conclusion: str(run.conclusion), url: str(run.url) }
      : null,
    commit: commit
      ? { sha: String(commit.sha), repository: String(commit.repository), message: String(commit.message), author: str(commit.author_login) ?? str(commit.author_name), committedAt: iso(commit.committed_at), url: str(commit.url) }
      : null,
    pullRequest: pr
      ? { repository: String(pr.repository), number: Number(pr.number), title: String(pr.title), author: str(pr.author), mergedBy: str(pr.merged_by), mergedAt: iso(pr.merged_at), url: str(pr.url) }
      : null,
    approvers: approvals.map((a) => ({ reviewer: String(a.reviewer), submittedAt: iso(a.submitted_at) ?? "" })),
    gates: [...checks].sort((a, b) => catalogueOrder(String(a.rule_id)) - catalogueOrder(String(b.rule_id))).map((c) => {
      const ruleId = String(c.rule_id);
      const rule = isRuleId(ruleId) ? ruleById(ruleId) : null;
      return {
        ruleId, ruleTitle: ruleTitle(ruleId), gate: rule?.kind === "gate" ? (rule.gate ?? "") : (rule?.kind ?? ""),
        result: String(c.result), evidence: (c.evidence as Record<string, unknown> | null) ?? {},
        controls: rule ? [...rule.controls.iso27001.map((x) => `ISO ${x}`), ...rule.controls.soc2] : [],
      };
    }),
    findings: findings.map((f) => ({ id: Number(f.id), ruleId: String(f.rule_id), ruleTitle: ruleTitle(String(f.rule_id)), status: String(f.status), summary: String(f.summary) })),
    missing,
  };
}
