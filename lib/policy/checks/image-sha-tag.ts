import { commitShaOfTag, sameCommit } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";

const id = "image.sha-tag";

export const imageShaTag: Check = (e, p) => {
  const b = e.build;
  if (b === null) return missing(id, "The deployed digest has no build record.", { digest: e.deployment.digest });
  const evidence = { buildId: b.id, digest: b.digest, commitSha: b.commitSha, tags: b.tags };
  const mutable = b.tags.filter((t) => p.mutableTags.includes(t));
  if (mutable.length > 0) return fail(id, `${b.digest} carries the mutable tag(s) ${mutable.join(", ")}.`, evidence);
  if (b.commitSha === null) return missing(id, `The build of ${b.digest} does not record its commit.`, evidence);
  const commit = b.commitSha;
  const shaTag = b.tags.find((t) => sameCommit(commitShaOfTag(t), commit));
  if (shaTag === undefined) {
    return fail(id, `No tag of ${b.digest} is its commit SHA ${commit.slice(0, 12)} (tags: ${b.tags.join(", ") || "none"}).`, evidence);
  }
  return pass(id, `${b.digest} is tagged "${shaTag}", its commit SHA.`, evidence);
};
