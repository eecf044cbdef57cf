import { isDigest, parseImageRef } from "../image-ref";
import { fail, missing, pass, type Check } from "../outcome";

const id = "image.base-pinned";

export const imageBasePinned: Check = (e) => {
  const b = e.build;
  if (b === null) return missing(id, "The deployed digest has no build record.", { digest: e.deployment.digest });
  if (b.baseImages === null) return missing(id, `The build of ${b.digest} does not list its base images.`, { buildId: b.id });
  const bases = b.baseImages.map((base) => ({
    ref: base.ref,
    digest: base.digest,
    pinned: base.ref === "scratch" || isDigest(base.digest) || isDigest(parseImageRef(base.ref).digest),
  }));
  const evidence = { buildId: b.id, digest: b.digest, baseImages: bases };
  const loose = bases.filter((x) => !x.pinned).map((x) => x.ref);
  if (loose.length > 0) return fail(id, `Base image(s) not pinned to a digest: ${loose.join(", ")}.`, evidence);
  if (bases.length === 0) return pass(id, "The image has no base image (built from scratch).", evidence);
  return pass(id, `All ${bases.length} base image(s) are pinned to a digest.`, evidence);
};
