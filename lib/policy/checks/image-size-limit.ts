import { fail, missing, pass, type Check } from "../outcome";

const id = "image.size-limit";

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export const imageSizeLimit: Check = (e, p) => {
  const b = e.build;
  if (b === null) return missing(id, "The deployed digest has no build record.", { digest: e.deployment.digest });
  const evidence = { buildId: b.id, digest: b.digest, sizeBytes: b.sizeBytes, maxImageSizeBytes: p.maxImageSizeBytes };
  if (b.sizeBytes === null) return missing(id, `The build of ${b.digest} does not record its size.`, evidence);
  if (b.sizeBytes > p.maxImageSizeBytes) {
    return fail(id, `${b.digest} is ${mb(b.sizeBytes)}, over the ${mb(p.maxImageSizeBytes)} limit.`, evidence);
  }
  return pass(id, `${b.digest} is ${mb(b.sizeBytes)}, within the ${mb(p.maxImageSizeBytes)} limit.`, evidence);
};
