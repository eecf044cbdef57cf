import { matchingIdentity, provenanceBuilderId } from "../builder-identity";
import { fail, missing, pass, type Check } from "../outcome";
import { iso, runRef } from "../refs";

const id = "deploy.built-by-ci";

export const deployBuiltByCi: Check = (e, p) => {
  const digest = e.deployment.digest;
  if (digest === null) {
    return missing(id, `The image reference ${e.deployment.imageRef} was never resolved to a digest.`, { imageRef: e.deployment.imageRef });
  }
  const b = e.build;
  if (b === null) return fail(id, `No build record exists for the deployed digest ${digest}.`, { digest });
  const provenanceBuilder = provenanceBuilderId(b.provenance);
  const identities = [b.builder, provenanceBuilder].filter((x): x is string => x !== null);
  const matched = identities.map((i) => ({ identity: i, pattern: matchingIdentity(i, p.ciBuilderIdentities) }));
  const evidence = {
    build: { id: b.id, repository: b.repository, digest: b.digest, builder: b.builder, provenanceBuilder, builtAt: iso(b.builtAt) },
    pipelineRun: b.pipelineRunId ? { provider: b.pipelineProvider, runId: b.pipelineRunId } : null,
    buildRun: e.buildRun ? runRef(e.buildRun) : null,
    matched,
  };
  const notCi = matched.filter((m) => m.pattern === null).map((m) => m.identity);
  if (identities.length === 0) return fail(id, `The build of ${digest} records no builder identity.`, evidence);
  if (notCi.length > 0) return fail(id, `${digest} was built by ${notCi.join(", ")}, which is not a CI identity.`, evidence);
  if (b.pipelineRunId === null) return fail(id, `The build of ${digest} names no CI pipeline run.`, evidence);
  if (e.buildRun === null) {
    return missing(id, `The build names pipeline run ${b.pipelineProvider ?? "?"} ${b.pipelineRunId}, which has not been ingested.`, evidence);
  }
  return pass(id, `${digest} was built by ${identities.join(" / ")} in ${e.buildRun.provider} run ${e.buildRun.runId}.`, evidence);
};
