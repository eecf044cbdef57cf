import { randomUUID } from "node:crypto";
import type { Database } from "@/db/client";
import { gateDecisions } from "@/db/schema";
import { config } from "../config";
import { appendToLedger, lockLedger } from "../ledger/ledger";
import { enqueueNotifications, linkTo, type News } from "../notifications/enqueue";

function denialNews(d: DecisionRecord): News {
  const subject = d.digest ?? d.commitSha ?? d.pullRequest ?? "(unnamed change)";
  const failed = d.checks.filter((c) => c.result === "fail").map((c) => String(c.check ?? c.ruleId ?? "?"));
  return {
    topic: "gate-denial",
    messageId: `gate-denial:${d.decisionId}`,
    environment: d.environment,
    payload: {
      text: `The ${d.gate} gate denied ${d.service ?? subject} for ${d.environment}${failed.length > 0 ? `: ${failed.join(", ")} failed` : ""} (asked by ${d.requestedBy}).`,
      link: linkTo(config().publicUrl, `/trace/${encodeURIComponent(subject)}`),
      decision: { id: d.decisionId, gate: d.gate, environment: d.environment, service: d.service, digest: d.digest, commitSha: d.commitSha, pullRequest: d.pullRequest, failed, requestedBy: d.requestedBy, policyVersion: d.policyVersion },
    },
  };
}

export const DECISION_SOURCE = "custody-decision";

export interface DecisionRecord {
  decisionId: string;
  gate: string;
  environment: string;
  service: string | null;
  digest: string | null;
  commitSha: string | null;
  pullRequest: string | null;
  decision: "allow" | "deny" | "warn";
  checks: Record<string, unknown>[];
  policyVersion: string;
  requestedBy: string;
  breakGlass: Record<string, unknown> | null;
  decidedAt: Date;
  /** What was asked, verbatim after validation; the ledger keeps it beside the answer. */
  request: unknown;
}

export const newDecisionId = (): string => `dec_${randomUUID()}`;

/**
 * Appends the decision to the ledger (who asked, what, the answer, the policy version) and indexes
 * it in gate_decisions, in one transaction: there is no decision without its ledger entry.
 */
export async function recordDecision(db: Database, d: DecisionRecord): Promise<{ ledgerSeq: number }> {
  return db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const { request, ...answer } = d;
    const body = JSON.stringify({ ...answer, decidedAt: d.decidedAt.toISOString(), request });
    const { seq } = await appendToLedger(tx, head, [
      {
        source: DECISION_SOURCE,
        eventType: `decision.${d.gate}`,
        deliveryId: d.decisionId,
        contentType: "application/json",
        receivedAt: d.decidedAt,
        body,
        status: "used",
        reason: null,
      },
    ]);
    await tx.insert(gateDecisions).values({ ...answer, ledgerSeq: seq });
    if (d.decision === "deny") await enqueueNotifications(tx, [denialNews(d)]);
    return { ledgerSeq: seq };
  });
}
