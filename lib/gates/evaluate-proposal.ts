import { and, desc, eq } from "drizzle-orm";
import { TransactionRollbackError } from "drizzle-orm/errors";
import type { Database, Queryable } from "@/db/client";
import { deployments, imageBuilds, pullRequests, type ImageBuild } from "@/db/schema";
import { subjectKeyOf } from "../evaluation/gates";
import { sourceColumnsOf, sourceOfEntry } from "../evidence/source";
import { gatherEvidence } from "../evidence/gather";
import { ruleById } from "../policy/catalogue";
import { evaluateDeployment } from "../policy/evaluate";
import type { CheckOutcome } from "../policy/outcome";
import type { Gate } from "../policy/rule-types";
import type { Policy } from "../policy/settings";
import { DECISION_SOURCE } from "./record";
import type { DecisionRequest } from "./request";

export interface ProposedChange {
  service: string;
  digest: string | null;
  commitSha: string | null;
  imageRef: string;
}

export interface ProposalResult {
  change: ProposedChange;
  /** The outcomes of this gate's rules, in catalogue order, with the finding subject each would have. */
  outcomes: (CheckOutcome & { subjectKey: string })[];
}

/** Whether a rule is asked at this gate: the deployment gate also judges the image it deploys. */
export function ruleAtGate(ruleId: string, gate: Gate): boolean {
  const rule = ruleById(ruleId);
  if (rule.kind === "gate") return rule.gate === gate;
  return rule.kind === "image" && gate === "deployment";
}

/** The subject the request names, completed from the stored evidence (build of the digest, PR's merge commit). */
async function resolveChange(db: Queryable, req: DecisionRequest): Promise<ProposedChange> {
  let commitSha = req.commitSha ?? null;
  let prRepository: string | null = null;
  if (req.pullRequest !== undefined) {
    const [repository = "", number = "0"] = req.pullRequest.split("#");
    prRepository = repository;
    const [pr] = await db
      .select({ mergeCommitSha: pullRequests.mergeCommitSha, headSha: pullRequests.headSha })
      .from(pullRequests)
      .where(and(eq(pullRequests.repository, repository), eq(pullRequests.number, Number(number))))
      .limit(1);
    commitSha ??= pr?.mergeCommitSha ?? pr?.headSha ?? null;
  }
  let build: ImageBuild | null = null;
  if (req.digest !== undefined) {
    const builds = await db.select().from(imageBuilds).where(eq(imageBuilds.digest, req.digest)).limit(20);
    build = builds.find((b) => req.service !== undefined && b.service === req.service) ?? builds[0] ?? null;
  } else if (commitSha !== null) {
    const [b] = await db.select().from(imageBuilds).where(eq(imageBuilds.commitSha, commitSha)).orderBy(desc(imageBuilds.builtAt)).limit(1);
    build = b ?? null;
  }
  const digest = req.digest ?? build?.digest ?? null;
  const service = req.service ?? build?.service ?? prRepository?.split("/")[1] ?? "unknown";
  const repository = build?.repository ?? service;
  return {
    service,
    digest,
    commitSha: build?.commitSha ?? commitSha,
    imageRef: req.imageRef ?? (digest ? `${repository}@${digest}` : `${repository}:${commitSha ?? "unknown"}`),
  };
}

/**
 * Judges a change that has not happened yet with the one evaluation: the proposed deployment is
 * written inside a transaction that is always rolled back, so gatherEvidence and evaluateDeployment
 * see it exactly as they would see it once recorded, and nothing of it is kept.
 */
export async function evaluateProposal(
  db: Database,
  req: DecisionRequest,
  decisionId: string,
  requestedBy: string,
  policy: Policy,
  now: Date,
): Promise<ProposalResult> {
  // The proposed deployment comes from whoever asks, as the recorded one will: the source policy judges it alike.
  const source = sourceColumnsOf(sourceOfEntry({ source: DECISION_SOURCE, deliveryId: decisionId, principal: requestedBy }));
  let result: ProposalResult | undefined;
  try {
    await db.transaction(async (tx) => {
      const change = await resolveChange(tx, req);
      const [row] = await tx
        .insert(deployments)
        .values({
          externalId: `decision:${decisionId}`,
          service: change.service,
          environment: req.environment,
          imageRef: change.imageRef,
          digest: change.digest,
          manifestCommitSha: req.manifestCommitSha ?? null,
          commitSha: change.commitSha,
          pipelineProvider: req.pipelineRun?.provider ?? null,
          pipelineRunId: req.pipelineRun?.runId ?? null,
          actor: req.actor ?? null,
          actorType: "pipeline",
          changeType: req.breakGlass ? "emergency" : "normal",
          status: "success",
          deployedAt: now,
          sourceUpdatedAt: now,
          ...source,
        })
        .returning({ id: deployments.id });
      if (row === undefined) throw new Error("proposed deployment insert returned no row");
      const evidence = (await gatherEvidence(tx, [row.id], policy, now)).get(row.id);
      if (evidence === undefined) throw new Error("proposed deployment not found by gatherEvidence");
      const outcomes = evaluateDeployment(evidence, policy)
        .filter((o) => ruleAtGate(o.ruleId, req.gate))
        .map((o) => ({ ...o, subjectKey: subjectKeyOf(o.ruleId, evidence) }));
      result = { change, outcomes };
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  if (result === undefined) throw new Error("proposal evaluation produced no result");
  return result;
}
