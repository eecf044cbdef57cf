import type { Queryable } from "@/db/client";
import { chainSources, missingLinks } from "@/lib/evidence/chain";
import { describeSource, sourceOfRow, type FactSource } from "@/lib/evidence/source";
import { isRuleId, ruleById } from "@/lib/policy";
import { ruleTitle } from "./findings";

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
    source: FactSource;
    /** The commit the digest was inferred from (the only image built from it), when the deployment named no digest. */
    digestInferredFrom: string | null;
    /** Images built from the deployment's commit when there were several and none could be picked. */
    digestCandidates: string[];
  };
  build: { repository: string; digest: string; tags: string[]; builder: string | null; builtAt: string; source: FactSource } | null;
  pipelineRun: { provider: string; runId: string; attempt: number; workflow: string | null; actor: string | null; conclusion: string | null; url: string | null; source: FactSource } | null;
  commit: { sha: string; repository: string; message: string; author: string | null; committedAt: string | null; url: string | null; source: FactSource } | null;
  pullRequest: { repository: string; number: number; title: string; author: string | null; mergedBy: string | null; mergedAt: string | null; url: string | null; source: FactSource } | null;
  approvers: { reviewer: string; submittedAt: string; source: FactSource }[];
  /** Facts the source policy did not let the checks use, in words (what, where from, which setting). */
  notCounted: string[];
  gates: GateCheck[];
  findings: { id: number; ruleId: string; ruleTitle: string; status: string; summary: string }[];
  /** Links of the chain with no record, named as in the API. */
  missing: string[];
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * One deployment with every link back to the approved change, for the deployment page: the same
 * sources as the API's evidence chain (lib/evidence/chain.ts), shaped for the view. Approvers are
 * everyone who approved (latest approval each, oldest first); `missing` names the links as the
 * API does, so a change approved only by its author lacks "approval".
 */
export async function deploymentChain(db: Queryable, id: number): Promise<DeploymentChain | null> {
  const [sources] = await chainSources(db, [id]);
  if (!sources) return null;
  const { evidence: e, results, findings } = sources;
  const d = e.deployment;
  const build = e.build;
  // The run that deployed it, else the run that built it.
  const run = e.deployRun ?? e.buildRun;
  const pr = e.pullRequest;
  const latest = new Map<string, (typeof e.reviews)[number]>();
  for (const r of e.reviews) {
    if (r.state.toLowerCase() !== "approved") continue;
    const seen = latest.get(r.reviewer);
    if (!seen || r.submittedAt > seen.submittedAt) latest.set(r.reviewer, r);
  }
  return {
    deployment: {
      id: d.id, service: d.service, environment: d.environment, imageRef: d.imageRef, digest: d.digest, actor: d.actor, actorType: d.actorType,
      changeType: d.changeType, status: d.status, description: d.description, deployedAt: d.deployedAt.toISOString(), manifestCommitSha: d.manifestCommitSha,
      source: sourceOfRow(d), digestInferredFrom: d.digestInferredFrom, digestCandidates: d.digestCandidates ?? [],
    },
    build: build
      ? { repository: build.repository, digest: build.digest, tags: build.tags, builder: build.builder, builtAt: build.builtAt.toISOString(), source: sourceOfRow(build) }
      : null,
    pipelineRun: run
      ? { provider: run.provider, runId: run.runId, attempt: run.attempt, workflow: run.workflow, actor: run.actor, conclusion: run.conclusion, url: run.url, source: sourceOfRow(run) }
      : null,
    commit: e.commit
      ? {
          sha: e.commit.sha, repository: e.commit.repository, message: e.commit.message, author: e.commit.authorLogin ?? e.commit.authorName, committedAt: iso(e.commit.committedAt),
          url: e.commit.url, source: sourceOfRow(e.commit),
        }
      : null,
    pullRequest: pr
      ? { repository: pr.repository, number: pr.number, title: pr.title, author: pr.author, mergedBy: pr.mergedBy, mergedAt: iso(pr.mergedAt), url: pr.url, source: sourceOfRow(pr) }
      : null,
    approvers: [...latest.values()]
      .sort((x, y) => x.submittedAt.getTime() - y.submittedAt.getTime())
      .map((r) => ({ reviewer: r.reviewer, submittedAt: r.submittedAt.toISOString(), source: sourceOfRow(r) })),
    notCounted: e.setAside.map((a) => `${a.ref}, from ${describeSource(a.source)}: not accepted by ${a.rule} (${a.accepts.join(", ") || "none"})`),
    gates: results.map((r) => {
      const rule = isRuleId(r.ruleId) ? ruleById(r.ruleId) : null;
      return {
        ruleId: r.ruleId, ruleTitle: ruleTitle(r.ruleId), gate: rule?.kind === "gate" ? (rule.gate ?? "") : (rule?.kind ?? ""),
        result: r.result, evidence: r.evidence,
        controls: rule ? [...rule.controls.iso27001.map((x) => `ISO ${x}`), ...rule.controls.soc2] : [],
      };
    }),
    findings: findings.map((f) => ({ id: f.id, ruleId: f.ruleId, ruleTitle: ruleTitle(f.ruleId), status: f.status, summary: f.summary })),
    missing: missingLinks(e, results.length),
  };
}

const resultOrder = ["fail", "missing-evidence", "pass"];

/** Failures first, then checks without evidence, then passes (stable within each). */
export function byResult<T extends { result: string }>(gates: readonly T[]): T[] {
  const rank = (r: string) => (resultOrder.includes(r) ? resultOrder.indexOf(r) : resultOrder.length);
  return [...gates].sort((a, b) => rank(a.result) - rank(b.result));
}

/** "3 of 21 checks failed: deployment gate": what an auditor needs before any detail. */
export function chainVerdict(gates: readonly Pick<GateCheck, "gate" | "result">[]): { tone: "pass" | "fail" | "missing"; text: string } {
  if (gates.length === 0) return { tone: "missing", text: "Not judged yet: no gate check recorded" };
  const failed = gates.filter((g) => g.result === "fail");
  const missing = gates.filter((g) => g.result === "missing-evidence");
  const where = (list: typeof gates) => [...new Set(list.map((g) => (g.gate ? `${g.gate} gate` : "")).filter(Boolean))].join(", ");
  if (failed.length > 0) {
    return { tone: "fail", text: `${failed.length} of ${gates.length} checks failed: ${where(failed)}${missing.length > 0 ? `; ${missing.length} lack evidence` : ""}` };
  }
  if (missing.length > 0) return { tone: "missing", text: `${missing.length} of ${gates.length} checks lack evidence: ${where(missing)}` };
  return { tone: "pass", text: `All ${gates.length} checks passed` };
}
