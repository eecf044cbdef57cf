import { authorsOf, isAuthor, standingApprovals } from "../approvals";
import { fail, missing, pass, type Check } from "../outcome";
import { reviewRef } from "../refs";

const id = "merge.independent-approval";

export const mergeIndependentApproval: Check = (e, p) => {
  const pr = e.pullRequest;
  if (pr === null) {
    return missing(id, "No pull request is linked to the deployed commit, so its approval cannot be checked.", {
      commitSha: e.commit?.sha ?? e.deployment.commitSha,
    });
  }
  const authors = authorsOf(e);
  const standing = standingApprovals(e.reviews);
  const independent = standing.filter((a) => !isAuthor(a.reviewer, authors));
  const evidence = {
    pullRequest: { id: pr.id, repository: pr.repository, number: pr.number, author: pr.author },
    authors,
    approvals: standing.map((a) => ({ ...reviewRef(a.last), independent: independent.includes(a) })),
    requiredApprovals: p.requiredApprovals,
  };
  const label = `${pr.repository}#${pr.number}`;
  if (standing.length === 0) return fail(id, `${label} was not approved.`, evidence);
  if (independent.length === 0) {
    const who = standing.map((a) => a.reviewer).join(", ");
    return fail(id, `${label} was approved only by its own author(s) (${who}): self-approval.`, evidence);
  }
  if (independent.length < p.requiredApprovals) {
    return fail(id, `${label} has ${independent.length} independent approval(s); policy requires ${p.requiredApprovals}.`, evidence);
  }
  const who = independent.map((a) => a.reviewer).join(", ");
  return pass(id, `${label} was approved by ${who}, who did not write or open it.`, evidence);
};
