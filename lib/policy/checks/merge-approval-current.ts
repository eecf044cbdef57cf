import { independentApprovals } from "../approvals";
import { sameCommit } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";
import { reviewRef } from "../refs";
import { latest } from "../timeline";

const id = "merge.approval-current";

export const mergeApprovalCurrent: Check = (e) => {
  const pr = e.pullRequest;
  if (pr === null) {
    return missing(id, "No pull request is linked to the deployed commit.", { commitSha: e.commit?.sha ?? e.deployment.commitSha });
  }
  const label = `${pr.repository}#${pr.number}`;
  const lastApproval = latest(independentApprovals(e), (a) => a.last.submittedAt)?.last ?? null;
  const evidence = {
    pullRequest: { id: pr.id, repository: pr.repository, number: pr.number, headSha: pr.headSha },
    lastApproval: lastApproval ? reviewRef(lastApproval) : null,
  };
  if (lastApproval === null) return fail(id, `${label} has no independent approval that could cover the merged code.`, evidence);
  if (pr.headSha === null || lastApproval.commitSha === null) {
    return missing(id, `The head commit of ${label} or the commit its last approval reviewed is not recorded.`, evidence);
  }
  if (!sameCommit(pr.headSha, lastApproval.commitSha)) {
    return fail(
      id,
      `${label} was merged at ${pr.headSha.slice(0, 12)} but its last approval (${lastApproval.reviewer}) reviewed ${lastApproval.commitSha.slice(0, 12)}: commits landed after approval.`,
      evidence,
    );
  }
  return pass(id, `The last approval of ${label} (${lastApproval.reviewer}) reviewed the merged head ${pr.headSha.slice(0, 12)}.`, evidence);
};
