import { fail, missing, pass, type Check } from "../outcome";

const id = "image.multi-stage";

export const imageMultiStage: Check = (e) => {
  const b = e.build;
  if (b === null) return missing(id, "The deployed digest has no build record.", { digest: e.deployment.digest });
  const evidence = { buildId: b.id, digest: b.digest, stages: b.stages };
  if (b.stages === null) return missing(id, `The build of ${b.digest} does not record its stages.`, evidence);
  if (b.stages < 2) return fail(id, `${b.digest} was built in a single stage, so build tools ship in the image.`, evidence);
  return pass(id, `${b.digest} was built in ${b.stages} stages.`, evidence);
};
