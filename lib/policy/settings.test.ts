import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPolicy, loadPolicy, provenanceModeFor } from "./settings";
import { ruleOnSource } from "./sources";

const dir = mkdtempSync(path.join(tmpdir(), "custody-policy-"));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe("policy settings", () => {
  it("uses the defaults in code with a 12-hex version", () => {
    const p = loadPolicy();
    expect(p).toBe(defaultPolicy);
    expect(p).toMatchObject({ requiredApprovals: 1, retainedImages: 10, blockingScanSeverity: "high", attestationFreshnessHours: 24 });
    expect(p.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it("applies overrides from a file and gives them a different, stable version", () => {
    const p = loadPolicy(file("two-approvals.json", JSON.stringify({ requiredApprovals: 2, requiredChecks: ["test", "build"] })));
    expect(p.requiredApprovals).toBe(2);
    expect(p.retainedImages).toBe(10);
    expect(p.version).not.toBe(defaultPolicy.version);
    const sameKeysOtherOrder = loadPolicy(file("reordered.json", JSON.stringify({ requiredChecks: ["test", "build"], requiredApprovals: 2 })));
    expect(sameKeysOtherOrder.version).toBe(p.version);
  });

  it("an override equal to the default keeps the default version", () => {
    expect(loadPolicy(file("noop.json", '{ "retainedImages": 10 }')).version).toBe(defaultPolicy.version);
  });

  it("names the file and the bad key", () => {
    const bad = file("bad-value.json", '{ "requiredApprovals": 0 }');
    expect(() => loadPolicy(bad)).toThrow(`policy file ${bad}: requiredApprovals`);
    const typo = file("typo.json", '{ "requiredAprovals": 2 }');
    expect(() => loadPolicy(typo)).toThrow(`policy file ${typo}: requiredAprovals is not a policy setting`);
    const regex = file("regex.json", '{ "manualInstructionPatterns": ["kubectl (apply"] }');
    expect(() => loadPolicy(regex)).toThrow(/manualInstructionPatterns\.0 must be a valid regular expression/);
  });

  it("refuses a pattern that can backtrack catastrophically (an unbounded quantifier on a group holding one)", () => {
    for (const pattern of [String.raw`(a+)+b`, String.raw`\bssh\s+(?:-\w+\s+)*\w+@`, String.raw`(?:x|y*){2,}`]) {
      const f = file("nested.json", JSON.stringify({ manualInstructionPatterns: [pattern] }));
      expect(() => loadPolicy(f)).toThrow(/manualInstructionPatterns\.0 .*nested/);
    }
    const bounded = file("bounded.json", JSON.stringify({ manualInstructionPatterns: [String.raw`\bssh(?:\s+-\w{1,20}){0,8}\s+\w+@`, String.raw`[(+*]+`] }));
    expect(() => loadPolicy(bounded)).not.toThrow();
  });

  it("names a file that is missing or not JSON", () => {
    const notJson = file("broken.json", "{ requiredApprovals: 2 ");
    expect(() => loadPolicy(notJson)).toThrow(`policy file ${notJson}: is not valid JSON`);
    expect(() => loadPolicy(path.join(dir, "absent.json"))).toThrow(/absent\.json: cannot be read/);
  });

  it("merges evidenceSources per fact over the defaults, and rules per repository glob", () => {
    const p = loadPolicy(file("sources.json", JSON.stringify({ evidenceSources: { accept: { review: ["github-webhook", "token:gitlab-bridge"] }, repositories: { "acme-legacy/*": { pull_request: ["token:jenkins-*"] } } } })));
    expect(p.version).not.toBe(defaultPolicy.version);
    expect(p.evidenceSources.accept.deployment).toEqual(defaultPolicy.evidenceSources.accept.deployment);
    expect(p.evidenceSources.webhookOnlyForWebhookRepositories).toBe(true);
    const token = (id: string) => ({ kind: "token" as const, id, verified: false });
    const none = new Set<string>();
    expect(ruleOnSource(p.evidenceSources, "review", token("gitlab-bridge"), "acme/checkout", none).accepted).toBe(true);
    expect(ruleOnSource(p.evidenceSources, "review", token("ci"), "acme/checkout", none)).toMatchObject({ accepted: false, rule: "accept.review" });
    expect(ruleOnSource(p.evidenceSources, "pull_request", token("jenkins-bridge"), "acme-legacy/billing", new Set(["acme-legacy/billing"])).accepted).toBe(true);
    // A repository that sends signed webhooks: its source-control facts count only from the webhook.
    const webhook = new Set(["acme/checkout"]);
    expect(ruleOnSource(p.evidenceSources, "review", token("gitlab-bridge"), "acme/checkout", webhook)).toMatchObject({ accepted: false, rule: "webhookOnlyForWebhookRepositories" });
    expect(ruleOnSource(p.evidenceSources, "deployment", token("ci"), null, webhook).accepted).toBe(true);
  });

  it("names a source pattern that is not one", () => {
    const bad = file("bad-source.json", JSON.stringify({ evidenceSources: { accept: { review: ["anyone"] } } }));
    expect(() => loadPolicy(bad)).toThrow(/evidenceSources\.accept\.review\.0 must be a source kind/);
  });
});

describe("provenance policy settings", () => {
  it("takes a mode per environment and expected signers, and names a bad value", () => {
    const p = loadPolicy(
      file("provenance.json", JSON.stringify({ provenanceModeByEnvironment: { production: "required" }, provenanceSigners: [{ service: "checkout", repository: "acme/checkout", ref: "refs/tags/v*" }] })),
    );
    expect(provenanceModeFor(p, "production")).toBe("required");
    expect(provenanceModeFor(p, "staging")).toBe("advisory");
    expect(p.version).not.toBe(defaultPolicy.version);
    expect(() => loadPolicy(file("bad-mode.json", JSON.stringify({ provenanceMode: "strict" })))).toThrow(/provenanceMode/);
    expect(() => loadPolicy(file("bad-signer.json", JSON.stringify({ provenanceSigners: [{ workflowPath: "x" }] })))).toThrow(/provenanceSigners/);
  });
});
