import { describe, expect, it } from "vitest";
import { compliantEvidence, makeCheckRun, makeCommit, makePullRequest, makeReview, sha, t } from "../fixtures.test-helpers";
import { defaultPolicy, resolvePolicy } from "../settings";
import { mergeApprovalCurrent } from "./merge-approval-current";
import { mergeChecksPassed } from "./merge-checks-passed";
import { mergeIndependentApproval } from "./merge-independent-approval";
import { mergeNoManualInstructions } from "./merge-no-manual-instructions";

describe("merge.independent-approval", () => {
  it("fails a PR approved only by its own author", () => {
    const e = { ...compliantEvidence(), reviews: [makeReview({ reviewer: "mhernandez" })] };
    const out = mergeIndependentApproval(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toMatch(/self-approval/);
    expect(out.evidence.approvals).toEqual([expect.objectContaining({ id: 902, reviewer: "mhernandez", independent: false })]);
  });

  it("treats a co-author of a PR commit as an author", () => {
    const e = compliantEvidence();
    e.pullRequestCommits.push(makeCommit({ sha: "0f3e2d1c0b9a", authorLogin: "JKowalski" }));
    expect(mergeIndependentApproval(e, defaultPolicy).result).toBe("fail");
  });

  it("does not count an approval withdrawn by a later change request", () => {
    const e = compliantEvidence();
    e.reviews.push(makeReview({ id: 903, externalId: "2481399001", state: "changes_requested", submittedAt: t("2026-11-23T14:50:00Z") }));
    const out = mergeIndependentApproval(e, defaultPolicy);
    expect(out).toMatchObject({ result: "fail", reason: "acme/checkout#1842 was not approved." });
  });

  it("passes with an approval from someone else and names the review", () => {
    const out = mergeIndependentApproval(compliantEvidence(), defaultPolicy);
    expect(out.result).toBe("pass");
    expect(out.evidence.approvals).toEqual([
      expect.objectContaining({ id: 902, externalId: "2481370915", reviewer: "jkowalski", submittedAt: "2026-11-23T14:37:05.000Z" }),
    ]);
  });

  it("is missing evidence when no pull request is linked", () => {
    expect(mergeIndependentApproval({ ...compliantEvidence(), pullRequest: null }, defaultPolicy).result).toBe("missing-evidence");
  });
});

describe("merge.approval-current", () => {
  it("fails when a commit landed after the last approval", () => {
    const late = "e41c7a09b2d35f6688c1d0a9e7b4f3c2a1908d7e";
    const e = { ...compliantEvidence(), pullRequest: makePullRequest({ headSha: late }) };
    const out = mergeApprovalCurrent(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("e41c7a09b2d3");
    expect(out.evidence.lastApproval).toMatchObject({ id: 902, commitSha: sha.head });
  });

  it("passes when the last approval reviewed the merged head", () => {
    expect(mergeApprovalCurrent(compliantEvidence(), defaultPolicy).result).toBe("pass");
  });
});

describe("merge.no-manual-instructions", () => {
  it("fails a PR body asking for kubectl by hand", () => {
    const body = "Fixes the stuck consumer.\n\nAfter merge, run `kubectl -n payments edit deployment/checkout` and bump the memory limit.";
    const e = { ...compliantEvidence(), pullRequest: makePullRequest({ body }) };
    const out = mergeNoManualInstructions(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("kubectl -n payments edit");
  });

  it("fails a hotfix on the box and an ssh to a host", () => {
    const body = "Already hotfixed on the box last night; ssh deploy@pay-prod-3.acme.internal to check.";
    const out = mergeNoManualInstructions({ ...compliantEvidence(), pullRequest: makePullRequest({ body }) }, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.evidence.matches).toHaveLength(2);
  });

  // The bodies a security review timed at 2.1 s and 18.6 s against backtracking patterns. The
  // test timeout guards a catastrophic regression; the figure itself is `npm run bench policy`.
  it.each([65_536, 200_000])("judges a %i-character body of `ssh -a ` repeated, and still finds an ssh appended to it", (size) => {
    const body = "ssh -a ".repeat(Math.ceil(size / 7)).slice(0, size);
    const clean = mergeNoManualInstructions({ ...compliantEvidence(), pullRequest: makePullRequest({ body }) }, defaultPolicy);
    expect(clean.result).toBe("pass");
    const dirty = mergeNoManualInstructions({ ...compliantEvidence(), pullRequest: makePullRequest({ body: `${body}\nthen ssh -p 2222 deploy@pay-prod-3` }) }, defaultPolicy);
    expect(dirty.result).toBe("fail");
    expect(dirty.reason).toContain("ssh -p 2222 deploy@pay-prod-3");
  }, 2_000);

  it("finds an instruction at the end of a very long line", () => {
    const body = `${"x".repeat(100_000)} kubectl -n payments edit deployment/checkout`;
    expect(mergeNoManualInstructions({ ...compliantEvidence(), pullRequest: makePullRequest({ body }) }, defaultPolicy).result).toBe("fail");
  });

  it("passes ordinary prose that mentions ssh keys", () => {
    const body = "Rotates the ssh keys used by the build agents through Vault.";
    expect(mergeNoManualInstructions({ ...compliantEvidence(), pullRequest: makePullRequest({ body }) }, defaultPolicy).result).toBe("pass");
  });
});

describe("merge.checks-passed", () => {
  it("fails when a check on the merged commit failed", () => {
    const e = compliantEvidence();
    e.checkRuns[1] = makeCheckRun({ conclusion: "failure" });
    const out = mergeChecksPassed(e, defaultPolicy);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("test (failure)");
  });

  it("fails when a required check never ran or was skipped", () => {
    const e = compliantEvidence();
    e.checkRuns[0] = makeCheckRun({ id: 7000, name: "lint", conclusion: "skipped" });
    const p = resolvePolicy({ requiredChecks: ["lint", "test", "security/codeql"] });
    const out = mergeChecksPassed(e, p);
    expect(out.result).toBe("fail");
    expect(out.reason).toContain("lint (skipped)");
    expect(out.reason).toContain("security/codeql (never ran)");
  });

  it("counts a successful re-run over an earlier failure", () => {
    const e = compliantEvidence();
    e.checkRuns.push(makeCheckRun({ id: 6990, externalId: "33051290001", conclusion: "failure", completedAt: t("2026-11-23T15:08:00Z") }));
    expect(mergeChecksPassed(e, defaultPolicy).result).toBe("pass");
  });

  it("is missing evidence when nothing ran on the commit", () => {
    expect(mergeChecksPassed({ ...compliantEvidence(), checkRuns: [] }, defaultPolicy).result).toBe("missing-evidence");
  });
});
