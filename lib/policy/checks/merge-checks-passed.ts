import type { CheckRun } from "@/db/schema";
import { missing, fail, pass, type Check } from "../outcome";
import { checkRunRef } from "../refs";
import { latest } from "../timeline";

const id = "merge.checks-passed";

/** `neutral` is a completed check without a verdict; GitHub's branch protection counts it as passing. */
const passingConclusions = new Set(["success", "neutral"]);

export const mergeChecksPassed: Check = (e, p) => {
  const sha = e.pullRequest?.mergeCommitSha ?? e.commit?.sha ?? e.deployment.commitSha;
  if (e.checkRuns.length === 0) {
    return missing(id, `No CI check runs are recorded on the merged commit ${sha?.slice(0, 12) ?? "(unknown)"}.`, {
      commitSha: sha,
      requiredChecks: p.requiredChecks,
    });
  }
  // A re-run replaces the earlier result of the same check.
  const byName = new Map<string, CheckRun[]>();
  for (const run of e.checkRuns) byName.set(run.name, [...(byName.get(run.name) ?? []), run]);
  const names = p.requiredChecks.length > 0 ? p.requiredChecks : [...byName.keys()].sort();
  const evaluated = names.map((name) => {
    const run = latest(byName.get(name) ?? [], (r) => r.completedAt ?? r.sourceUpdatedAt);
    const ok = run !== null && run.status === "completed" && passingConclusions.has(run.conclusion ?? "");
    return { name, run, ok };
  });
  const evidence = {
    commitSha: sha,
    requiredChecks: p.requiredChecks,
    checks: evaluated.map((c) => (c.run ? { ...checkRunRef(c.run), ok: c.ok } : { name: c.name, ok: false, missing: true })),
  };
  const bad = evaluated.filter((c) => !c.ok);
  if (bad.length > 0) {
    const what = bad.map((c) => (c.run ? `${c.name} (${c.run.conclusion ?? c.run.status})` : `${c.name} (never ran)`)).join(", ");
    return fail(id, `Required checks did not pass on ${sha?.slice(0, 12) ?? "the merged commit"}: ${what}.`, evidence);
  }
  return pass(id, `All ${evaluated.length} required check(s) passed on ${sha?.slice(0, 12) ?? "the merged commit"}.`, evidence);
};
