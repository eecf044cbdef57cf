import { describe, expect, it } from "vitest";
import { controlsOf, defineCatalogue, ruleById, rules, rulesOfKind } from "./catalogue";
import type { RuleDefinition } from "./rule-types";

const valid: RuleDefinition = {
  id: "merge.example",
  kind: "gate",
  gate: "merge",
  title: "Example",
  description: "Fails in the example.",
  severity: "low",
  controls: { iso27001: ["8.32"], soc2: ["CC8.1"] },
};

describe("rules catalogue", () => {
  it("holds the 16 gate, 7 image and 8 drift rules of CONTROLS.md (with the provenance rules), plus drift.admission-bypass, drift.unrecorded-workload, drift.manual-migration, drift.untagged-images-kept and the 4 GitOps drift rules of the second round", () => {
    expect(rulesOfKind("gate")).toHaveLength(16);
    expect(rulesOfKind("image")).toHaveLength(7);
    expect(rulesOfKind("drift")).toHaveLength(16);
    expect(rules.filter((r) => r.kind === "gate" && r.gate === "production-apply").map((r) => r.id)).toEqual([
      "prod.staging-verified",
      "prod.digest-matches-staging",
      "prod.network-verified",
      "prod.backup-verified",
      "prod.approved-before-deploy",
    ]);
  });

  it("maps each rule to titled controls", () => {
    const rule = ruleById("merge.independent-approval");
    expect(rule.severity).toBe("critical");
    expect(controlsOf(rule).map((c) => `${c.framework}:${c.id}`)).toEqual(["iso27001:5.3", "iso27001:8.32", "soc2:CC8.1", "soc2:CC6.3"]);
    expect(() => ruleById("merge.everything-fine")).toThrow('unknown rule id "merge.everything-fine"');
  });

  it("rejects a rule mapped to an unknown control id", () => {
    expect(() => defineCatalogue([{ ...valid, controls: { iso27001: ["8.32"], soc2: ["CC8.2"] } }])).toThrow(
      /rule "merge.example": unknown SOC 2 .* "CC8.2"/,
    );
    expect(() => defineCatalogue([{ ...valid, controls: { iso27001: ["A.8.32"], soc2: [] } }])).toThrow(/A\.8\.32/);
  });

  it("rejects duplicate ids and a gate that does not match the id", () => {
    expect(() => defineCatalogue([valid, valid])).toThrow(/duplicate id/);
    expect(() => defineCatalogue([{ ...valid, gate: "production-apply" }])).toThrow(/prod\.\*/);
    expect(defineCatalogue([valid])).toEqual([valid]);
  });
});
