import type { DeploymentRuleId } from "./catalogue";
import type { DeploymentEvidence } from "./evidence";
import type { Policy } from "./settings";

/**
 * `fail`: the linked evidence shows the rule was broken, or a record the rule requires (a scan,
 * an attestation) does not exist. `missing-evidence`: a link the deployment itself points to
 * could not be followed (no PR for the commit, a run id not ingested, an unknown count), so the
 * rule can be judged neither way yet; late evidence may turn it into pass or fail.
 */
export const outcomeResults = ["pass", "fail", "missing-evidence"] as const;
export type OutcomeResult = (typeof outcomeResults)[number];

export interface CheckOutcome {
  ruleId: DeploymentRuleId;
  result: OutcomeResult;
  /** One sentence an auditor can read, naming the records involved. */
  reason: string;
  /** The ids and times of exactly the records the decision used. */
  evidence: Record<string, unknown>;
}

export type Check = (e: DeploymentEvidence, p: Policy) => CheckOutcome;

export const pass = (ruleId: DeploymentRuleId, reason: string, evidence: Record<string, unknown>): CheckOutcome => ({
  ruleId,
  result: "pass",
  reason,
  evidence,
});

export const fail = (ruleId: DeploymentRuleId, reason: string, evidence: Record<string, unknown>): CheckOutcome => ({
  ruleId,
  result: "fail",
  reason,
  evidence,
});

export const missing = (ruleId: DeploymentRuleId, reason: string, evidence: Record<string, unknown>): CheckOutcome => ({
  ruleId,
  result: "missing-evidence",
  reason,
  evidence,
});
