import { fail, pass, type Check } from "../outcome";

const id = "deploy.manifest-from-vcs";

export const deployManifestFromVcs: Check = (e) => {
  const sha = e.deployment.manifestCommitSha;
  const evidence = { deploymentId: e.deployment.id, manifestCommitSha: sha };
  if (sha === null) return fail(id, "The deployment records no manifest commit: its manifests cannot be traced to version control.", evidence);
  return pass(id, `The manifests were applied from commit ${sha.slice(0, 12)}.`, evidence);
};
