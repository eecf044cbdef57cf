import { and, desc, eq, or, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { gateDecisions } from "@/db/schema";

export interface DecisionView {
  decisionId: string;
  gate: string;
  environment: string;
  decision: string;
  requestedBy: string;
  policyVersion: string;
  decidedAt: string;
  checks: { ruleId: string; title: string; result: string; waived: boolean; reason: string; remedy: string }[];
  breakGlass: { reason: string; person: string; incidentId?: number } | null;
}

/**
 * The gate decisions about one deployment's change, newest first: deployment and production-apply
 * decisions for its digest in its environment, and merge decisions for its commit.
 */
export async function decisionsForChange(db: Queryable, d: { digest: string | null; environment: string; commitSha: string | null }, limit = 20): Promise<DecisionView[]> {
  const about: SQL[] = [];
  if (d.digest) {
    const forDigest = and(eq(gateDecisions.digest, d.digest), eq(gateDecisions.environment, d.environment));
    if (forDigest) about.push(forDigest);
  }
  if (d.commitSha) {
    const forCommit = and(eq(gateDecisions.gate, "merge"), eq(gateDecisions.commitSha, d.commitSha));
    if (forCommit) about.push(forCommit);
  }
  if (about.length === 0) return [];
  const rows = await db.select().from(gateDecisions).where(or(...about)).orderBy(desc(gateDecisions.decidedAt), desc(gateDecisions.id)).limit(limit);
  return rows.map((r) => ({
    decisionId: r.decisionId,
    gate: r.gate,
    environment: r.environment,
    decision: r.decision,
    requestedBy: r.requestedBy,
    policyVersion: r.policyVersion,
    decidedAt: r.decidedAt.toISOString(),
    checks: r.checks.map((c) => ({
      ruleId: String(c.ruleId ?? ""),
      title: String(c.title ?? ""),
      result: String(c.result ?? ""),
      waived: c.waived === true,
      reason: String(c.reason ?? ""),
      remedy: String(c.remedy ?? ""),
    })),
    breakGlass: r.breakGlass ? { reason: String(r.breakGlass.reason ?? ""), person: String(r.breakGlass.person ?? ""), ...(typeof r.breakGlass.incidentId === "number" ? { incidentId: r.breakGlass.incidentId } : {}) } : null,
  }));
}
