import { commitShaOfTag, parseImageRef, sameCommit } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";

const id = "deploy.commit-matches";

export const deployCommitMatches: Check = (e) => {
  const pr = e.pullRequest;
  const b = e.build;
  const ref = parseImageRef(e.deployment.imageRef);
  const evidence = {
    pullRequest: pr ? { id: pr.id, repository: pr.repository, number: pr.number, merged: pr.merged, mergeCommitSha: pr.mergeCommitSha } : null,
    build: b ? { id: b.id, digest: b.digest, commitSha: b.commitSha, tags: b.tags } : null,
    deployment: {
      id: e.deployment.id,
      imageRef: e.deployment.imageRef,
      commitSha: e.deployment.commitSha,
      ...(e.deployment.digestInferredFrom ? { digestInferredByCommit: e.deployment.digestInferredFrom } : {}),
      ...(e.deployment.digestCandidates?.length ? { digestCandidates: e.deployment.digestCandidates } : {}),
    },
  };
  // A deployment that names only a commit, from which several images were built: Custody does not guess.
  const candidates = e.deployment.digestCandidates ?? [];
  if (e.deployment.digest === null && candidates.length > 1) {
    const commit = (e.deployment.commitSha ?? "").slice(0, 12);
    return fail(id, `The deployment names commit ${commit} but no digest, and ${candidates.length} images were built from that commit (${candidates.join(", ")}): which one was deployed is unknown.`, evidence);
  }
  if (pr === null) return missing(id, "No pull request is linked to the deployed commit, so there is no approved merge commit to compare with.", evidence);
  if (!pr.merged || pr.mergeCommitSha === null) {
    return fail(id, `${pr.repository}#${pr.number} was never merged; the deployed code is not an approved merge commit.`, evidence);
  }
  const merge = pr.mergeCommitSha;
  if (b === null || b.commitSha === null) return missing(id, "The deployed image has no build record naming its commit.", evidence);
  if (!sameCommit(b.commitSha, merge)) {
    return fail(id, `The image was built from ${b.commitSha.slice(0, 12)}, not from the merge commit ${merge.slice(0, 12)}.`, evidence);
  }
  if (e.deployment.commitSha !== null && !sameCommit(e.deployment.commitSha, merge)) {
    return fail(id, `The deployment claims commit ${e.deployment.commitSha.slice(0, 12)}, not the merge commit ${merge.slice(0, 12)}.`, evidence);
  }
  if (ref.tag !== null) {
    const tagSha = commitShaOfTag(ref.tag);
    if (tagSha === null || !sameCommit(tagSha, merge)) {
      return fail(id, `The deployed tag "${ref.tag}" is not the merge commit SHA ${merge.slice(0, 12)}.`, evidence);
    }
  } else if (!b.tags.some((t) => sameCommit(commitShaOfTag(t), merge))) {
    return fail(id, `No tag of the image is the merge commit SHA ${merge.slice(0, 12)} (tags: ${b.tags.join(", ") || "none"}).`, evidence);
  }
  const inferred = e.deployment.digestInferredFrom ? " (the image was linked to the deployment by its commit: the only image built from it)" : "";
  return pass(id, `The image was built from and tagged with the merge commit ${merge.slice(0, 12)} of ${pr.repository}#${pr.number}${inferred}.`, evidence);
};
