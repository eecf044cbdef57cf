import { describe, expect, it } from "vitest";
import { generateDemoEvents } from "./generate";
import { demoScenarios } from "./scenarios";
import { indexEvents, scenarioChecks } from "./test-support";

/** Every rule id in CONTROLS.md and of the later issues: each needs at least one scenario that makes it fail. */
const CONTROL_RULE_IDS = [
  "merge.independent-approval", "merge.approval-current", "merge.no-manual-instructions", "merge.checks-passed",
  "deploy.built-by-ci", "deploy.commit-matches", "deploy.immutable-ref", "deploy.manifest-from-vcs", "deploy.pipeline-actor",
  "deploy.rollback-ready", "prod.staging-verified", "prod.digest-matches-staging", "prod.network-verified", "prod.backup-verified",
  "prod.approved-before-deploy", "image.base-pinned", "image.multi-stage", "image.size-limit", "image.scanned", "image.sha-tag",
  "image.no-baked-secrets", "drift.unrecorded-digest", "drift.not-built-by-ci", "drift.mutable-tag", "drift.manual-apply",
  "drift.config-changed", "drift.exec-into-container", "drift.prod-differs-from-staging", "drift.rollback-gap",
  // The GitOps rules of issue 22 (Argo CD, Flux).
  "drift.gitops-manual-sync", "drift.gitops-out-of-sync", "drift.gitops-self-heal-off", "drift.gitops-suspended",
  "drift.unrecorded-workload",
  // Issue 21: databases and registries.
  "drift.manual-migration", "drift.untagged-images-kept",
];

const events = generateDemoEvents();

describe("demoScenarios", () => {
  it("covers every rule in the controls catalogue and names no unknown rule", () => {
    const covered = new Set(demoScenarios.flatMap((s) => s.ruleIds));
    expect([...CONTROL_RULE_IDS].filter((id) => !covered.has(id))).toEqual([]);
    expect([...covered].filter((id) => !CONTROL_RULE_IDS.includes(id))).toEqual([]);
  });

  it("has unique ids, each with a check", () => {
    const ids = demoScenarios.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(scenarioChecks).sort()).toEqual([...ids].sort());
  });

  it.each(demoScenarios.map((s) => [s.id, s] as const))("%s is present in the generated events for its service", (id, scenario) => {
    const check = scenarioChecks[id];
    expect(check).toBeDefined();
    expect(check?.(indexEvents(events, scenario.service))).toBe(true);
  });

  it("holds for other seeds too", () => {
    const other = generateDemoEvents({ seed: 7 });
    for (const scenario of demoScenarios) {
      expect([scenario.id, scenarioChecks[scenario.id]?.(indexEvents(other, scenario.service))]).toEqual([scenario.id, true]);
    }
  });
});

describe("ordinary changes stay clean", () => {
  const ix = indexEvents(events);
  const scenarioServices = new Set(demoScenarios.map((s) => s.service));

  it("leaves the stories to the scenarios: at most one production deploy in ten is manual, emergency or unverified", () => {
    const odd = ix.production.filter((d) => d.actorType === "human" || d.changeType === "emergency" || !ix.deployedIn("staging", d.digest));
    expect(odd.length).toBeLessThan(ix.production.length / 10);
    expect(odd.every((d) => scenarioServices.has(d.service))).toBe(true);
  });

  it("observes only recorded digests, except the hot patch", () => {
    const unrecorded = new Set<string>();
    for (const snap of ix.snapshots) {
      for (const w of snap.workloads) {
        const digest = w.containers[0]?.digest ?? undefined;
        if (!ix.deployedIn(snap.environment, digest)) unrecorded.add(`${snap.environment}/${w.name}`);
      }
    }
    expect([...unrecorded]).toEqual(["production/inventory"]);
  });

  it("has exactly one service below ten retained images", () => {
    const perService = new Map<string, number>();
    for (const b of ix.builds) perService.set(b.service ?? "", (perService.get(b.service ?? "") ?? 0) + 1);
    expect([...perService].filter(([, n]) => n < 10).map(([s]) => s)).toEqual(["reviews-svc"]);
  });

  it("links every deployment to a build and a merged pull request", () => {
    for (const d of ix.deployments) {
      expect(ix.buildOf(d.digest)).toBeDefined();
      expect(ix.prByMergeSha.get(d.commitSha ?? "")).toBeDefined();
    }
  });

  it("explains the hot patch with an exec by a person before the edit", () => {
    const exec = ix.audits.find((a) => a.subresource === "exec" && a.environment === "production");
    const patch = ix.audits.find((a) => a.verb === "patch" && a.name === "inventory");
    expect(exec?.username).toBe("erin@acme.com");
    expect(exec?.userAgent).toMatch(/^kubectl\//);
    expect(exec && patch && ix.time(exec) < ix.time(patch)).toBe(true);
  });
});
