import { independentApprovals } from "../approvals";
import { fail, missing, pass, type Check } from "../outcome";
import { reviewRef } from "../refs";

const id = "prod.approved-before-deploy";

/**
 * "Approved" means the required number of independent approvals was reached; the time compared
 * is when the last of those began. An emergency change approved afterwards still fails here,
 * with the retrospective approval named, because auditors sample exactly those.
 */
export const prodApprovedBeforeDeploy: Check = (e, p) => {
  const d = e.deployment;
  const pr = e.pullRequest;
  if (pr === null) return missing(id, "No pull request is linked to the deployed commit.", { commitSha: e.commit?.sha ?? d.commitSha });
  const approvals = independentApprovals(e);
  const deciding = approvals[p.requiredApprovals - 1] ?? null;
  const evidence = {
    pullRequest: { id: pr.id, repository: pr.repository, number: pr.number },
    deployedAt: d.deployedAt.toISOString(),
    changeType: d.changeType,
    approval: deciding ? reviewRef(deciding.since) : null,
    requiredApprovals: p.requiredApprovals,
  };
  const label = `${pr.repository}#${pr.number}`;
  if (deciding === null) return fail(id, `${label} reached production without the ${p.requiredApprovals} required approval(s).`, evidence);
  const approvedAt = deciding.since.submittedAt;
  if (approvedAt > d.deployedAt) {
    const emergency = d.changeType === "emergency" ? " (emergency change, approved retrospectively)" : "";
    return fail(id, `${label} was deployed at ${d.deployedAt.toISOString()}, before its approval at ${approvedAt.toISOString()}${emergency}.`, evidence);
  }
  return pass(id, `${label} was approved by ${deciding.reviewer} at ${approvedAt.toISOString()}, before deployment at ${d.deployedAt.toISOString()}.`, evidence);
};
