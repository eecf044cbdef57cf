import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Database } from "@/db/client";
import { environments, gateDecisions, waivers } from "@/db/schema";
import { describeIssues, validation } from "../errors";
import { activePolicy } from "../policy/active";
import { ruleById } from "../policy/catalogue";
import type { Policy } from "../policy/settings";
import { config, type GithubReporting } from "../config";
import { breakGlass, breakGlassAllowed } from "./break-glass";
import { invalidateDecisions } from "./cache";
import { evaluateProposal } from "./evaluate-proposal";
import { reportToGithub, type GithubReport } from "./github-status";
import { newDecisionId, recordDecision } from "./record";
import { remedyFor } from "./remedies";
import { decisionRequestSchema, type DecisionRequest } from "./request";

export type DecisionValue = "allow" | "deny" | "warn";

export interface DecisionCheck {
  ruleId: string;
  title: string;
  result: "fail" | "missing-evidence";
  waived: boolean;
  /** What the check found, from the check itself. */
  reason: string;
  /** What to do about it, in the words of a pipeline step. */
  remedy: string;
  waiver?: { id: number; justification: string; approver: string; expiresAt: string };
  evidence: Record<string, unknown>;
}

export interface DecisionAnswer {
  decision: DecisionValue;
  checks: DecisionCheck[];
  policyVersion: string;
  decisionId: string;
  gate: DecisionRequest["gate"];
  environment: string;
  subject: { service: string; digest: string | null; commitSha: string | null; pullRequest: string | null };
  /** The rules of this gate that passed. */
  passed: string[];
  breakGlass: { reason: string; person: string; incidentId: number; findingId: number } | null;
  /** Set when break glass was asked but the policy does not allow it here. */
  breakGlassRefused?: string;
  decidedAt: string;
  /** Whether the decision was posted on the commit in GitHub (status or check run), skipped, or failed. */
  github: GithubReport;
}

export function parseDecisionRequest(input: unknown): DecisionRequest {
  const parsed = decisionRequestSchema.safeParse(input);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues), parsed.error.issues);
  return parsed.data;
}

/**
 * Answers "may this change go through this gate now?" with the same checks as the after-the-fact
 * judgement (evaluateProposal), waivers applied as they are to findings, and records the answer in
 * the ledger. A failed or unjudgeable check denies; checks that fail only under an active waiver
 * warn; break glass, where the policy allows it, turns a deny into a warn and opens an incident.
 */
export async function decide(db: Database, input: unknown, requestedBy: string, opts: { policy?: Policy; now?: Date; github?: GithubReporting | null } = {}): Promise<DecisionAnswer> {
  const req = parseDecisionRequest(input);
  const policy = opts.policy ?? activePolicy();
  const now = opts.now ?? new Date();
  if (req.gate === "production-apply") await requireProduction(db, req.environment);
  const decisionId = newDecisionId();
  const { change, outcomes } = await evaluateProposal(db, req, decisionId, requestedBy, policy, now);
  const problems = outcomes.filter((o) => o.result !== "pass");
  const active = await activeWaivers(db, problems, now);
  const ctx = { digest: change.digest, service: change.service, environment: req.environment, commitSha: change.commitSha };
  const checks: DecisionCheck[] = problems.map((o) => {
    const w = active.get(`${o.ruleId}\u0000${o.subjectKey}`);
    return {
      ruleId: o.ruleId,
      title: ruleById(o.ruleId).title,
      result: o.result === "fail" ? "fail" : "missing-evidence",
      waived: w !== undefined,
      reason: o.reason,
      remedy: remedyFor(o.ruleId, ctx),
      ...(w ? { waiver: { id: w.id, justification: w.justification, approver: w.approver, expiresAt: w.expiresAt.toISOString() } } : {}),
      evidence: o.evidence,
    };
  });
  let decision: DecisionValue = checks.some((c) => !c.waived) ? "deny" : checks.length > 0 ? "warn" : "allow";
  let breakGlassRefused: string | undefined;
  const glass = decision === "deny" && req.breakGlass !== undefined;
  if (glass && !breakGlassAllowed(req.environment)) breakGlassRefused = `the policy does not allow break glass in ${req.environment} (CUSTODY_BREAK_GLASS)`;
  const broken = glass && breakGlassRefused === undefined;
  if (broken) decision = "warn";

  const subject = { service: change.service, digest: change.digest, commitSha: change.commitSha, pullRequest: req.pullRequest ?? null };
  await recordDecision(db, {
    decisionId,
    gate: req.gate,
    environment: req.environment,
    ...subject,
    decision,
    checks: checks as unknown as Record<string, unknown>[],
    policyVersion: policy.version,
    requestedBy,
    breakGlass: broken && req.breakGlass ? { reason: req.breakGlass.reason, person: req.breakGlass.person } : null,
    decidedAt: now,
    request: req,
  });
  invalidateDecisions(change.digest, req.environment);

  let glassRecord: DecisionAnswer["breakGlass"] = null;
  if (broken && req.breakGlass) {
    const failed = checks.filter((c) => !c.waived).map((c) => c.ruleId);
    const opened = await breakGlass(db, {
      subjectKey: `decision:${decisionId}`,
      environment: req.environment,
      service: change.service,
      workload: null,
      person: req.breakGlass.person,
      reason: req.breakGlass.reason,
      requestedBy,
      summary: `${req.breakGlass.person} broke glass at the ${req.gate} gate for ${change.digest ?? change.commitSha ?? change.service} in ${req.environment} past ${failed.join(", ")}: ${req.breakGlass.reason}`,
      evidence: { decisionId, gate: req.gate, digest: change.digest, commitSha: change.commitSha, failedChecks: failed, reason: req.breakGlass.reason },
      at: now,
    });
    glassRecord = { reason: req.breakGlass.reason, person: req.breakGlass.person, ...opened };
    await setBreakGlass(db, decisionId, glassRecord);
  }
  const answer: Omit<DecisionAnswer, "github"> = {
    decision,
    checks,
    policyVersion: policy.version,
    decisionId,
    gate: req.gate,
    environment: req.environment,
    subject,
    passed: outcomes.filter((o) => o.result === "pass").map((o) => o.ruleId),
    breakGlass: glassRecord,
    ...(breakGlassRefused ? { breakGlassRefused } : {}),
    decidedAt: now.toISOString(),
  };
  const github = await reportToGithub(db, { ...answer, github: { skipped: "" } }, opts.github === undefined ? config().githubReporting : opts.github);
  return { ...answer, github };
}

async function requireProduction(db: Database, environment: string): Promise<void> {
  const rows = await db.select({ name: environments.name, isProduction: environments.isProduction }).from(environments);
  if (rows.some((r) => r.name === environment && r.isProduction)) return;
  const known = rows.filter((r) => r.isProduction).map((r) => r.name);
  throw validation(
    `environment: ${environment} is not a production environment; the production-apply gate is asked for ${known.length > 0 ? known.join(", ") : "a production environment (none recorded yet)"}`,
  );
}

async function activeWaivers(db: Database, problems: { ruleId: string; subjectKey: string }[], now: Date) {
  const out = new Map<string, typeof waivers.$inferSelect>();
  if (problems.length === 0) return out;
  const rows = await db
    .select()
    .from(waivers)
    .where(and(or(...problems.map((p) => and(eq(waivers.ruleId, p.ruleId), eq(waivers.subjectKey, p.subjectKey)))), isNull(waivers.revokedAt), gt(waivers.expiresAt, now)));
  for (const w of rows) out.set(`${w.ruleId}\u0000${w.subjectKey}`, w);
  return out;
}

async function setBreakGlass(db: Database, decisionId: string, value: Record<string, unknown>): Promise<void> {
  await db.update(gateDecisions).set({ breakGlass: value }).where(eq(gateDecisions.decisionId, decisionId));
}
