import type { DecisionAnswer } from "./decide";

/**
 * The decision as a release engineer reads it in a pipeline log: the verdict first, then each
 * failed check with what it found and what to do, then waived checks. Plain text, no colour codes.
 */
export function formatDecision(a: Pick<DecisionAnswer, "decision" | "checks" | "gate" | "environment" | "subject" | "policyVersion" | "decisionId" | "breakGlass"> & { breakGlassRefused?: string }): string {
  const what = a.subject.digest ?? a.subject.commitSha ?? a.subject.pullRequest ?? a.subject.service;
  const head = {
    allow: `ALLOW: ${what} may pass the ${a.gate} gate to ${a.environment}.`,
    warn: `WARN: ${what} may pass the ${a.gate} gate to ${a.environment}, as an exception.`,
    deny: `DENY: ${what} may not pass the ${a.gate} gate to ${a.environment}.`,
  }[a.decision];
  const lines = [head];
  const open = a.checks.filter((c) => !c.waived);
  const waived = a.checks.filter((c) => c.waived);
  if (open.length > 0) {
    lines.push("", a.breakGlass ? "Checks overridden by break glass:" : "Failed checks:");
    for (const c of open) {
      lines.push(`  ✗ ${c.ruleId} (${c.title})${c.result === "missing-evidence" ? " [evidence missing]" : ""}`);
      lines.push(`      found: ${c.reason}`);
      lines.push(`      to fix: ${c.remedy}`);
    }
  }
  if (waived.length > 0) {
    lines.push("", "Waived checks:");
    for (const c of waived) lines.push(`  ~ ${c.ruleId}: ${c.reason} (waived by ${c.waiver?.approver ?? "?"} until ${c.waiver?.expiresAt ?? "?"}: ${c.waiver?.justification ?? ""})`);
  }
  if (a.breakGlass) lines.push("", `Break glass by ${a.breakGlass.person}: ${a.breakGlass.reason}. Incident ${a.breakGlass.incidentId} is open; follow it up.`);
  if (a.breakGlassRefused) lines.push("", `Break glass refused: ${a.breakGlassRefused}.`);
  lines.push("", `decision ${a.decisionId}, policy ${a.policyVersion}`);
  return `${lines.join("\n")}\n`;
}

export const exitCodeOf = (decision: DecisionAnswer["decision"]): number => (decision === "deny" ? 1 : 0);
