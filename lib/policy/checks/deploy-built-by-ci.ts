import { matchingIdentity, provenanceBuilderId } from "../builder-identity";
import { fail, missing, pass, type Check } from "../outcome";
import { iso, runRef } from "../refs";
import { provenanceView, signerLabel } from "./provenance";

const id = "deploy.built-by-ci";

/**
 * Verified Sigstore provenance from an expected signer proves the build, whatever the build
 * record says. Without it, the build record's builder identity decides, except where the policy
 * requires provenance: there a `builder` string alone (which any sender can write) is advisory.
 */
export const deployBuiltByCi: Check = (e, p) => {
  const digest = e.deployment.digest;
  if (digest === null) {
    return missing(id, `The image reference ${e.deployment.imageRef} was never resolved to a digest.`, { imageRef: e.deployment.imageRef });
  }
  const v = provenanceView(e, p);
  const b = e.build;
  const provenanceBuilder = b ? provenanceBuilderId(b.provenance) : null;
  const identities = b ? [b.builder, provenanceBuilder].filter((x): x is string => x !== null) : [];
  const matched = identities.map((i) => ({ identity: i, pattern: matchingIdentity(i, p.ciBuilderIdentities) }));
  const usesProvenance = v.mode === "required" || (v.mode === "advisory" && v.judgement.state !== "absent");
  const recorded = {
    build: b ? { id: b.id, repository: b.repository, digest: b.digest, builder: b.builder, provenanceBuilder, builtAt: iso(b.builtAt) } : null,
    pipelineRun: b?.pipelineRunId ? { provider: b.pipelineProvider, runId: b.pipelineRunId } : null,
    buildRun: e.buildRun ? runRef(e.buildRun) : null,
    matched,
  };
  if (usesProvenance) {
    const evidence = { ...recorded, ...v.evidence };
    if (v.trusted) {
      const run = v.judgement.signer?.runUrl;
      return pass(id, `${digest} was built by ${signerLabel(v)} (verified Sigstore provenance${run ? `, run ${run}` : ""}).`, evidence);
    }
    if (v.mode === "required") {
      const builder = identities.length > 0 ? ` The builder "${identities.join(" / ")}" alone is advisory here.` : "";
      return fail(id, `Provenance is required in ${e.deployment.environment}: ${v.problem ?? "it is not trusted"}.${builder}`, evidence);
    }
    return fail(id, `${digest}: ${v.problem ?? "its provenance is not trusted"}.`, evidence);
  }
  if (b === null) return fail(id, `No build record exists for the deployed digest ${digest}.`, { digest });
  const evidence = recorded;
  const notCi = matched.filter((m) => m.pattern === null).map((m) => m.identity);
  if (identities.length === 0) return fail(id, `The build of ${digest} records no builder identity.`, evidence);
  if (notCi.length > 0) return fail(id, `${digest} was built by ${notCi.join(", ")}, which is not a CI identity.`, evidence);
  if (b.pipelineRunId === null) return fail(id, `The build of ${digest} names no CI pipeline run.`, evidence);
  if (e.buildRun === null) {
    return missing(id, `The build names pipeline run ${b.pipelineProvider ?? "?"} ${b.pipelineRunId}, which has not been ingested.`, evidence);
  }
  return pass(id, `${digest} was built by ${identities.join(" / ")} in ${e.buildRun.provider} run ${e.buildRun.runId}.`, evidence);
};
