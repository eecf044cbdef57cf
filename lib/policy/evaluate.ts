import { describeSource, sourceOfRow } from "../evidence/source";
import { rules, type DeploymentRuleId, type Rule } from "./catalogue";
import { checks } from "./checks";
import type { DeploymentEvidence, SetAsideFact } from "./evidence";
import type { CheckOutcome } from "./outcome";
import { provenanceModeFor, type Policy } from "./settings";
import { factsUsedBy, type FactKind } from "./sources";

type DeploymentRule = Extract<Rule, { id: DeploymentRuleId }>;

const isDeploymentRule = (r: Rule): r is DeploymentRule => r.kind === "gate" || r.kind === "image";

/**
 * Whether a rule applies to this deployment. Production-apply rules apply to production targets
 * only; for any other target they are left out rather than reported as a pass, so a report never
 * counts a check that was not made.
 */
export function ruleApplies(rule: Rule, e: Pick<DeploymentEvidence, "environment">): boolean {
  if (!isDeploymentRule(rule)) return false;
  return rule.kind !== "gate" || rule.gate !== "production-apply" || e.environment.isProduction;
}

export function applicableRules(e: Pick<DeploymentEvidence, "environment">): DeploymentRule[] {
  return rules.filter(isDeploymentRule).filter((r) => ruleApplies(r, e));
}

/** The rules that judge Sigstore provenance. */
export const provenanceRuleIds: readonly string[] = ["image.provenance-verified", "deploy.provenance-commit-matches"];

/**
 * Whether the provenance rules judge this deployment: always where the policy requires provenance,
 * never where it is off, and where it is advisory only once a bundle was sent for the digest (so a
 * report does not count checks that had nothing to judge).
 */
export function provenanceRulesApply(e: Pick<DeploymentEvidence, "deployment" | "provenance">, p: Policy): boolean {
  const mode = provenanceModeFor(p, e.deployment.environment);
  return mode === "required" || (mode === "advisory" && (e.provenance?.length ?? 0) > 0);
}

type Sourced = { sourceKind: string; sourceId: string; sourceVerified: boolean };

/** The records of each kind a check may read, from the evidence (already filtered by the source policy). */
function factsOf(e: DeploymentEvidence, fact: FactKind, ruleId: DeploymentRuleId): (Sourced | null)[] {
  switch (fact) {
    case "deployment":
      return ruleId.startsWith("prod.") ? [e.deployment, ...e.stagingDeployments] : [e.deployment];
    case "pull_request":
      return [e.pullRequest];
    case "review":
      return e.reviews;
    case "commit":
      return [e.commit, ...e.pullRequestCommits];
    case "check_run":
      return e.checkRuns;
    case "pipeline_run":
      return [e.buildRun, e.deployRun];
    case "image_build":
      return [e.build];
    case "attestation":
      return Object.values(e.attestations).flat();
    default:
      return [];
  }
}

type SourceUsed = { fact: FactKind; kind: string; id: string; verified: boolean };

/**
 * Each fact's distinct sources, by evidence: the ~23 checks of a deployment read the same facts
 * (every attestation, every check run), and listing their sources once per check was the
 * evaluator's largest stretch of JavaScript. The evidence is not changed once gathered.
 */
const sourcesByFact = new WeakMap<DeploymentEvidence, Map<string, SourceUsed[]>>();

function sourcesOfFact(e: DeploymentEvidence, fact: FactKind, ruleId: DeploymentRuleId): SourceUsed[] {
  // Only the deployment fact depends on the rule: production checks read the staging deployments too.
  const key = fact === "deployment" && ruleId.startsWith("prod.") ? "deployment:prod" : fact;
  let byFact = sourcesByFact.get(e);
  if (byFact === undefined) sourcesByFact.set(e, (byFact = new Map()));
  let list = byFact.get(key);
  if (list === undefined) {
    const out = new Map<string, SourceUsed>();
    for (const row of factsOf(e, fact, ruleId)) {
      if (row === null) continue;
      const s = sourceOfRow(row);
      out.set(`${s.kind}\u0000${s.id}`, { fact, kind: s.kind, id: s.id, verified: s.verified });
    }
    list = [...out.values()];
    byFact.set(key, list);
  }
  return list;
}

/** The distinct sources of the facts a check used, recorded in its evidence. */
export function sourcesUsed(e: DeploymentEvidence, ruleId: DeploymentRuleId): SourceUsed[] {
  const facts = [...new Set<FactKind>(["deployment", ...factsUsedBy[ruleId]])];
  return facts.flatMap((fact) => sourcesOfFact(e, fact, ruleId));
}

const describeAside = (a: SetAsideFact): string =>
  `${a.ref} came from ${describeSource(a.source)}, which the policy does not accept for ${a.fact.replace("_", " ")}s (${a.rule}: ${a.accepts.join(", ") || "none"})`;

/**
 * A check whose evidence is incomplete because the policy set a fact aside fails, naming the fact
 * and its source; a deployment record from a refused source fails every check. Each outcome's
 * evidence records the sources of the facts it used.
 */
export function judgeSources(outcome: CheckOutcome, e: DeploymentEvidence): CheckOutcome {
  const used = new Set<FactKind>(factsUsedBy[outcome.ruleId]);
  const deploymentAside = e.setAside.filter((a) => a.fact === "deployment" && a.ref === `deployment ${e.deployment.externalId}`);
  const relevant = [...new Set([...deploymentAside, ...e.setAside.filter((a) => used.has(a.fact))])];
  const evidence: Record<string, unknown> = { ...outcome.evidence, sources: sourcesUsed(e, outcome.ruleId) };
  if (relevant.length > 0) {
    evidence.notCounted = relevant.map((a) => ({ fact: a.fact, ref: a.ref, source: a.source, rule: a.rule }));
  }
  const mustFail = deploymentAside.length > 0 || (relevant.length > 0 && outcome.result !== "pass");
  if (!mustFail) return { ...outcome, evidence };
  const reason = `${outcome.result === "pass" ? "" : `${outcome.reason} `}Not counted: ${relevant.map(describeAside).join("; ")}.`;
  return { ...outcome, result: "fail", reason, evidence };
}

/** Runs every applicable gate and image check, in catalogue order. The one entry point callers use. */
export function evaluateDeployment(e: DeploymentEvidence, p: Policy): CheckOutcome[] {
  const provenance = provenanceRulesApply(e, p);
  return applicableRules(e)
    .filter((rule) => provenance || !provenanceRuleIds.includes(rule.id))
    .map((rule) => judgeSources(checks[rule.id](e, p), e));
}
