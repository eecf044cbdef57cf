import { control, frameworks, type Control } from "./controls";
import { ruleDefinitions } from "./rule-definitions";
import { gates, ruleKinds, severities, type Gate, type RuleDefinition } from "./rule-types";

export { gates, ruleKinds, severities } from "./rule-types";
export type { Gate, RuleControls, RuleDefinition, RuleKind, Severity } from "./rule-types";

type Definitions = typeof ruleDefinitions;
export type Rule = Definitions[number];
export type RuleId = Rule["id"];
export type GateRuleId = Extract<Rule, { kind: "gate" }>["id"];
export type ImageRuleId = Extract<Rule, { kind: "image" }>["id"];
export type DriftRuleId = Extract<Rule, { kind: "drift" }>["id"];
/** The rules evaluated per deployment: gates and the checks of the deployed image. */
export type DeploymentRuleId = GateRuleId | ImageRuleId;

const gatePrefix: Record<Gate, string> = { merge: "merge.", deployment: "deploy.", "production-apply": "prod." };

/**
 * Validates a list of rule definitions and returns it unchanged. Throws on the first problem:
 * a duplicate id, a gate that does not match its id's prefix, or a control id that controls.ts
 * does not know (a mapping to a control that does not exist would mislead an auditor).
 */
export function defineCatalogue<T extends readonly RuleDefinition[]>(definitions: T): T {
  const seen = new Set<string>();
  for (const rule of definitions) {
    const where = `rule "${rule.id}"`;
    if (!/^[a-z]+\.[a-z0-9-]+$/.test(rule.id)) throw new Error(`${where}: id must look like "gate.kebab-name"`);
    if (seen.has(rule.id)) throw new Error(`${where}: duplicate id`);
    seen.add(rule.id);
    if (!ruleKinds.includes(rule.kind)) throw new Error(`${where}: unknown kind "${rule.kind}"`);
    if (!severities.includes(rule.severity)) throw new Error(`${where}: unknown severity "${rule.severity}"`);
    if (rule.kind === "gate") {
      if (rule.gate === undefined || !gates.includes(rule.gate)) throw new Error(`${where}: a gate rule needs a gate`);
      if (!rule.id.startsWith(gatePrefix[rule.gate])) throw new Error(`${where}: ${rule.gate} rules are named ${gatePrefix[rule.gate]}*`);
    } else {
      if (rule.gate !== undefined) throw new Error(`${where}: only gate rules have a gate`);
      if (!rule.id.startsWith(`${rule.kind}.`)) throw new Error(`${where}: ${rule.kind} rules are named ${rule.kind}.*`);
    }
    if (rule.title.trim() === "" || rule.description.trim() === "") throw new Error(`${where}: title and description are required`);
    if (rule.controls.iso27001.length + rule.controls.soc2.length === 0) throw new Error(`${where}: maps to no control`);
    for (const framework of frameworks) {
      for (const id of rule.controls[framework]) {
        try {
          control(framework, id);
        } catch (err) {
          throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }
  return definitions;
}

/** Every rule Custody checks, in catalogue order (merge, deployment, production apply, image, drift). */
export const rules: readonly Rule[] = defineCatalogue(ruleDefinitions);

const byId = new Map<string, Rule>(rules.map((r) => [r.id, r]));

export function isRuleId(id: string): id is RuleId {
  return byId.has(id);
}

/** Throws for an id that is not in the catalogue. */
export function ruleById(id: string): Rule {
  const rule = byId.get(id);
  if (rule === undefined) throw new Error(`unknown rule id "${id}"`);
  return rule;
}

export function rulesOfKind<K extends Rule["kind"]>(kind: K): Extract<Rule, { kind: K }>[] {
  return rules.filter((r): r is Extract<Rule, { kind: K }> => r.kind === kind);
}

/** The controls a rule supports, with their titles, ISO first. */
export function controlsOf(rule: RuleDefinition): Control[] {
  return frameworks.flatMap((framework) => rule.controls[framework].map((id) => control(framework, id)));
}
