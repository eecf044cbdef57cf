import { rules, type DeploymentRuleId, type Rule } from "./catalogue";
import { checks } from "./checks";
import type { DeploymentEvidence } from "./evidence";
import type { CheckOutcome } from "./outcome";
import { provenanceModeFor, type Policy } from "./settings";

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

/** Runs every applicable gate and image check, in catalogue order. The one entry point callers use. */
export function evaluateDeployment(e: DeploymentEvidence, p: Policy): CheckOutcome[] {
  const provenance = provenanceRulesApply(e, p);
  return applicableRules(e)
    .filter((rule) => provenance || !provenanceRuleIds.includes(rule.id))
    .map((rule) => checks[rule.id](e, p));
}
