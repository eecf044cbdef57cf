export const ruleKinds = ["gate", "image", "drift"] as const;
export type RuleKind = (typeof ruleKinds)[number];

export const gates = ["merge", "deployment", "production-apply"] as const;
export type Gate = (typeof gates)[number];

/** Ordered from most to least severe. */
export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

export interface RuleControls {
  iso27001: readonly string[];
  soc2: readonly string[];
}

/** One rule as written in the catalogue; `gate` is set for gate rules only. */
export interface RuleDefinition {
  id: string;
  kind: RuleKind;
  gate?: Gate;
  title: string;
  /** What a failure means, in one sentence. */
  description: string;
  severity: Severity;
  controls: RuleControls;
}
