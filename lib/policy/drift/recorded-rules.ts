import { matchingIdentity, provenanceBuilderId } from "../builder-identity";
import { deploymentEvidence, iso, observedEvidence, lazyOutcome as outcome, type ObservedContainer, type RecordedEvidence, type WorkloadDriftRule } from "./types";

const where = (o: { environment: string; namespace: string; kind: string; name: string; container: string }) =>
  `${o.kind} ${o.namespace}/${o.name} (container ${o.container}) in ${o.environment}`;

/** A running digest needs a successful deployment of it in that environment at or before the snapshot. */
export const unrecordedDigest: WorkloadDriftRule = (o, r) => {
  const id = "drift.unrecorded-digest";
  const evidence = () => ({ ...observedEvidence(o), recordedDeployment: deploymentEvidence(r.deployment), lastDeployment: deploymentEvidence(r.lastDeployment), recordedDigest: r.lastDeployment?.digest ?? null });
  // A pod still pulling its image reports no imageID: nothing runs yet, so nothing to judge.
  if (o.digest === null) return outcome(id, "missing-evidence", `${where(o)} has not pulled ${o.imageRef} yet, so its digest is unknown.`, evidence);
  const deployed = r.deployment;
  if (deployed) return outcome(id, "pass", () => `${o.digest} was deployed to ${o.environment} by ${deployed.externalId}.`, evidence);
  const last = r.lastDeployment ? ` The last recorded deployment of ${o.service ?? o.name} there was ${r.lastDeployment.digest ?? r.lastDeployment.imageRef}.` : "";
  return outcome(id, "fail", `${where(o)} runs ${o.digest}, which no deployment record put there.${last}`, evidence);
};

const ciMemo = new WeakMap<readonly string[], Map<string, boolean>>();

/** matchingIdentity compiles its globs on every call; a snapshot asks about the same few builders thousands of times. */
function isCiIdentity(identity: string, identities: readonly string[]): boolean {
  let memo = ciMemo.get(identities);
  if (!memo) ciMemo.set(identities, (memo = new Map()));
  let known = memo.get(identity);
  if (known === undefined) memo.set(identity, (known = matchingIdentity(identity, identities) !== null));
  return known;
}

/** A build counts as CI's when every identity it names (builder, provenance builder id) is a CI identity, and it names one. */
function builtByCi(builder: string | null, provenanceBuilder: string | null, identities: readonly string[]): boolean {
  if (builder === null && provenanceBuilder === null) return false;
  return (builder === null || isCiIdentity(builder, identities)) && (provenanceBuilder === null || isCiIdentity(provenanceBuilder, identities));
}

/** The running digest must have a build by a CI identity (the builder or the provenance's builder id). */
export const notBuiltByCi: WorkloadDriftRule = (o, r, p) => {
  const id = "drift.not-built-by-ci";
  // Each build's evidence entry is built only when the outcome's evidence is read (a failure).
  const evidence = () => ({
    ...observedEvidence(o),
    builds: r.builds.map((b) => {
      const provenanceBuilder = provenanceBuilderId(b.provenance);
      const ci = builtByCi(b.builder, provenanceBuilder, p.ciBuilderIdentities);
      return { id: b.id, repository: b.repository, builder: b.builder, provenanceBuilder, pipelineRunId: b.pipelineRunId, builtAt: iso(b.builtAt), ci };
    }),
  });
  if (o.digest === null) return outcome(id, "missing-evidence", `${where(o)} has not pulled ${o.imageRef} yet.`, evidence);
  if (r.builds.length === 0) return outcome(id, "fail", `No build record exists for ${o.digest}, running in ${where(o)}.`, evidence);
  for (const b of r.builds) {
    const provenanceBuilder = provenanceBuilderId(b.provenance);
    if (builtByCi(b.builder, provenanceBuilder, p.ciBuilderIdentities)) {
      return outcome(id, "pass", () => `${o.digest} was built by ${provenanceBuilder ?? b.builder ?? "CI"}.`, evidence);
    }
  }
  const builders = r.builds.map((b) => b.builder ?? provenanceBuilderId(b.provenance) ?? "an unnamed builder").join(", ");
  return outcome(id, "fail", `${o.digest}, running in ${where(o)}, was built by ${builders}, which is not a CI identity.`, evidence);
};

/** A production digest must have run in staging first: a staging deployment or a staging snapshot. */
export const prodDiffersFromStaging: WorkloadDriftRule = (o, r) => {
  const id = "drift.prod-differs-from-staging";
  if (!o.isProduction) return null;
  const evidence = () => ({ ...observedEvidence(o), staging: r.staging ? { source: r.staging.source, ref: r.staging.ref, at: iso(r.staging.at) } : null });
  if (o.digest === null) return outcome(id, "missing-evidence", `${where(o)} has not pulled ${o.imageRef} yet.`, evidence);
  const staged = r.staging;
  if (staged) return outcome(id, "pass", () => `${o.digest} ran in staging (${staged.source} ${staged.ref}) before production.`, evidence);
  return outcome(id, "fail", `${o.digest}, running in ${where(o)}, never ran in staging.`, evidence);
};

/** Whose registry a rollback draws on: the running build's service, else the workload's. */
export function rollbackService(o: Pick<ObservedContainer, "service" | "name">, r: Pick<RecordedEvidence, "builds">): string {
  return r.builds.find((b) => b.service)?.service ?? o.service ?? o.name;
}

/** The service of the running build keeps at least `retainedImages` tagged images; not applicable without a build. */
export const rollbackGap: WorkloadDriftRule = (o, r, p) => {
  const id = "drift.rollback-gap";
  if (o.digest === null || r.retainedImages === null) return null;
  const service = rollbackService(o, r);
  const evidence = () => ({ service, retainedImages: r.retainedImages, requiredRetainedImages: p.retainedImages, ...observedEvidence(o) });
  if (r.retainedImages >= p.retainedImages) {
    return outcome(id, "pass", () => `${r.retainedImages} tagged images of ${service} are retained (policy: ${p.retainedImages}).`, evidence);
  }
  return outcome(id, "fail", `Only ${r.retainedImages} tagged image(s) of ${service} are retained; policy requires ${p.retainedImages} for rollback.`, evidence);
};
