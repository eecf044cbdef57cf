import { sameCommit } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";
import { provenanceView } from "./provenance";

const id = "deploy.provenance-commit-matches";

/** Compares the source commit the verified provenance names (its certificate, else its predicate) with the approved merge commit. */
export const deployProvenanceCommitMatches: Check = (e, p) => {
  const v = provenanceView(e, p);
  const pr = e.pullRequest;
  const evidence = {
    ...v.evidence,
    pullRequest: pr ? { id: pr.id, repository: pr.repository, number: pr.number, merged: pr.merged, mergeCommitSha: pr.mergeCommitSha } : null,
  };
  if (!v.trusted) {
    const why = v.problem ?? "its provenance is not trusted";
    if (v.mode === "required" || v.judgement.state !== "absent") return fail(id, `The source commit cannot be proven: ${why}.`, evidence);
    return missing(id, `Advisory: ${why}, so the source commit is not proven.`, evidence);
  }
  const verification = v.judgement.best?.verification;
  const commit = v.judgement.signer?.sourceCommit ?? verification?.predicateCommit ?? null;
  if (commit === null) return fail(id, "The verified provenance names no source commit.", evidence);
  if (pr === null) return missing(id, `The provenance names commit ${commit.slice(0, 12)}, but no pull request is linked to the deployed commit to compare with.`, evidence);
  if (!pr.merged || pr.mergeCommitSha === null) return fail(id, `${pr.repository}#${pr.number} was never merged; the provenance's commit ${commit.slice(0, 12)} is not an approved merge commit.`, evidence);
  if (!sameCommit(commit, pr.mergeCommitSha)) {
    return fail(id, `The verified provenance says the image was built from ${commit.slice(0, 12)}, not from the merge commit ${pr.mergeCommitSha.slice(0, 12)} of ${pr.repository}#${pr.number}.`, evidence);
  }
  return pass(id, `The verified provenance names the merge commit ${pr.mergeCommitSha.slice(0, 12)} of ${pr.repository}#${pr.number} as its source.`, evidence);
};
