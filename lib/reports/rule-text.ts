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

/** camelCase or snake_case keys as words: `stagingDeployment` → `staging deployment`. */
const keyWords = (k: string): string => k.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * Any stored value as words for a reader, never JSON: `{ low: 1, medium: 2 }` → `low 1, medium 2`,
 * nested objects in parentheses, arrays joined with commas, empty values left out.
 */
export function inWords(value: unknown, depth = 0): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value instanceof Date) return value.toISOString();
  if (depth > 3) return "…";
  if (Array.isArray(value)) return value.map((v) => inWords(v, depth + 1)).filter((v) => v !== "").join(", ");
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const text = inWords(v, depth + 1);
      if (text === "") continue;
      const nested = typeof v === "object" && v !== null && !(v instanceof Date);
      parts.push(nested ? `${keyWords(k)} (${text})` : `${keyWords(k)} ${text}`);
    }
    return parts.join(", ");
  }
  return "";
}

/** One line from a stored evidence object: its reason or summary when it has one, else its fields in words. */
export function evidenceSummary(evidence: unknown, max = 400): string {
  if (evidence === null || evidence === undefined) return "";
  if (typeof evidence === "object" && !Array.isArray(evidence)) {
    const e = evidence as Record<string, unknown>;
    for (const key of ["reason", "summary", "message"]) {
      const v = e[key];
      if (typeof v === "string" && v.trim() !== "") return v.length > max ? `${v.slice(0, max - 1)}…` : v;
    }
  }
  const text = inWords(evidence);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
