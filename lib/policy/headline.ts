import { isRuleId, ruleById } from "./catalogue";

/**
 * A finding's headline. A drift rule's title names the problem ("Running digest has no deployment
 * record"); a gate or image check's names what should hold ("Secret scan of the image passed"), so its
 * finding says the check failed rather than reading as a pass.
 */
export function findingHeadline(ruleId: string): string {
  if (!isRuleId(ruleId)) return ruleId;
  const rule = ruleById(ruleId);
  return rule.kind === "drift" ? rule.title : `Check failed: ${rule.title}`;
}
