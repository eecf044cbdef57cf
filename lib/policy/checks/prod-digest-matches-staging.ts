import { sameCommit } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";
import { deploymentRef } from "../refs";
import { latest } from "../timeline";

const id = "prod.digest-matches-staging";

export const prodDigestMatchesStaging: Check = (e) => {
  const d = e.deployment;
  if (d.digest === null) return missing(id, `The image reference ${d.imageRef} was never resolved to a digest.`, { imageRef: d.imageRef });
  const commitSha = e.build?.commitSha ?? d.commitSha;
  // The staging runs of this change: the same digest, or the same commit built into another digest.
  const ofChange = e.stagingDeployments.filter(
    (s) => s.deployedAt < d.deployedAt && (s.digest === d.digest || sameCommit(s.commitSha, commitSha)),
  );
  const same = latest(
    ofChange.filter((s) => s.digest === d.digest),
    (s) => s.deployedAt,
  );
  const evidence = {
    productionDigest: d.digest,
    commitSha,
    stagingDeployments: ofChange.map(deploymentRef),
    matching: same ? deploymentRef(same) : null,
  };
  if (same !== null) return pass(id, `Production runs ${d.digest}, the digest staging ran (${same.externalId}).`, evidence);
  const other = latest(ofChange, (s) => s.deployedAt);
  if (other !== null) {
    return fail(id, `Production runs ${d.digest} but staging ran ${other.digest ?? "an unresolved image"} for the same commit: the image was rebuilt.`, evidence);
  }
  return fail(id, `This change never ran in staging, so production's ${d.digest} matches no staging digest.`, evidence);
};
