import { control, type Framework } from "../policy/controls";
import { isRuleId, ruleById } from "../policy/catalogue";

/** A rule's title and severity from the catalogue (the one place they live). */
export function ruleTitle(ruleId: string): string {
  return isRuleId(ruleId) ? ruleById(ruleId).title : "(rule no longer in the catalogue)";
}

export function ruleSeverity(ruleId: string): string {
  return isRuleId(ruleId) ? ruleById(ruleId).severity : "";
}

/** The framework's control ids a rule supports, validated by control() (unknown ids throw). */
export function ruleControlIds(ruleId: string, framework: Framework): string[] {
  if (!isRuleId(ruleId)) return [];
  return ruleById(ruleId).controls[framework].map((id) => control(framework, id).id);
}

export function ruleControlLabels(ruleId: string, framework: Framework): string {
  return ruleControlIds(ruleId, framework)
    .map((id) => `${id} ${control(framework, id).title}`)
    .join("; ");
}

/** One line from a stored evidence object: its reason or summary when it has one, else compact JSON. */
export function evidenceSummary(evidence: unknown, max = 400): string {
  if (evidence === null || evidence === undefined) return "";
  if (typeof evidence === "object" && !Array.isArray(evidence)) {
    const e = evidence as Record<string, unknown>;
    for (const key of ["reason", "summary", "message"]) {
      const v = e[key];
      if (typeof v === "string" && v.trim() !== "") return v.length > max ? `${v.slice(0, max - 3)}...` : v;
    }
  }
  const text = typeof evidence === "string" ? evidence : JSON.stringify(evidence);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
