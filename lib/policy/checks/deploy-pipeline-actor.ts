import { authorsOf, isAuthor, sameLogin, standingApprovals } from "../approvals";
import { fail, missing, pass, type Check } from "../outcome";
import { runRef } from "../refs";

const id = "deploy.pipeline-actor";

export const deployPipelineActor: Check = (e, p) => {
  const d = e.deployment;
  const run = e.deployRun;
  const authors = authorsOf(e);
  const approvers = standingApprovals(e.reviews)
    .map((a) => a.reviewer)
    .filter((r) => !isAuthor(r, authors));
  // A push-triggered run has no human deployer; a hand-started run (workflow_dispatch...) has one.
  const manualTrigger = run !== null && run.event !== null && p.manualTriggerEvents.includes(run.event);
  const humanDeployer =
    d.actorType === "human" ? d.actor : manualTrigger ? (run.triggeringActor ?? run.actor) : null;
  const evidence = {
    deployment: { id: d.id, actor: d.actor, actorType: d.actorType, pipelineProvider: d.pipelineProvider, pipelineRunId: d.pipelineRunId },
    deployRun: run ? runRef(run) : null,
    humanDeployer,
    authors,
    approvers,
  };
  if (d.actorType === "human") return fail(id, `Deployed by a person (${d.actor ?? "unknown"}), not by the pipeline.`, evidence);
  if (d.pipelineRunId === null) return fail(id, "The deployment names no pipeline run: the stage ran outside the pipeline.", evidence);
  if (run === null) return missing(id, `Pipeline run ${d.pipelineProvider ?? "?"} ${d.pipelineRunId} has not been ingested.`, evidence);
  if (humanDeployer !== null) {
    if (isAuthor(humanDeployer, authors)) {
      return fail(id, `${humanDeployer} started the deployment of a change they wrote or opened (separation of duties).`, evidence);
    }
    const only = approvers.length === 1 ? approvers[0] : undefined;
    if (only !== undefined && sameLogin(only, humanDeployer)) {
      return fail(id, `${humanDeployer} both solely approved and started the deployment of this change (separation of duties).`, evidence);
    }
  }
  const by = humanDeployer ? `, started by ${humanDeployer}` : "";
  return pass(id, `Deployed by ${run.provider} run ${run.runId}${by}.`, evidence);
};
