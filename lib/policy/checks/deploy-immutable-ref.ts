import { commitShaOfTag, isDigest, parseImageRef } from "../image-ref";
import { fail, pass, type Check } from "../outcome";

const id = "deploy.immutable-ref";

export const deployImmutableRef: Check = (e, p) => {
  const imageRef = e.deployment.imageRef;
  const ref = parseImageRef(imageRef);
  const evidence = { deploymentId: e.deployment.id, imageRef, tag: ref.tag, digest: ref.digest };
  if (isDigest(ref.digest)) return pass(id, `${imageRef} is pinned by digest.`, evidence);
  if (ref.tag === null) return fail(id, `${imageRef} has no tag or digest, so it means \`latest\`.`, evidence);
  if (p.mutableTags.includes(ref.tag)) return fail(id, `${imageRef} uses the mutable tag "${ref.tag}".`, evidence);
  if (commitShaOfTag(ref.tag) === null) {
    return fail(id, `${imageRef} uses the tag "${ref.tag}", which is not a commit SHA and can be moved.`, evidence);
  }
  return pass(id, `${imageRef} is referenced by the commit-SHA tag "${ref.tag}".`, evidence);
};
