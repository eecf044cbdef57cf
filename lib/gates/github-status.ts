import { createSign } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { operations } from "@octokit/openapi-types";
import type { GithubReporting } from "../config";
import { log } from "../log";
import type { DecisionAnswer } from "./decide";

export type { GithubReporting } from "../config";

export type GithubReport = { posted: "status" | "check-run"; context: string; repository: string; sha: string } | { skipped: string } | { error: string };

/** The status/check name branch protection requires: custody/merge-gate, custody/deployment-gate, custody/production-apply. */
export const githubContext = (gate: DecisionAnswer["gate"]): string =>
  ({ merge: "custody/merge-gate", deployment: "custody/deployment-gate", "production-apply": "custody/production-apply" })[gate];

/** The repository of the decided commit: the pull request asked about, else a stored commit or pull request with that SHA. */
async function repositoryOf(db: Queryable, a: DecisionAnswer): Promise<string | null> {
  if (a.subject.pullRequest) return a.subject.pullRequest.split("#")[0] ?? null;
  const sha = a.subject.commitSha;
  if (sha === null) return null;
  const [row] = await queryRows<{ repository: string }>(
    db,
    sql`select repository from commits where sha = ${sha} union all select repository from pull_requests where merge_commit_sha = ${sha} limit 1`,
  );
  return row?.repository ?? null;
}

/** Request bodies as GitHub's published OpenAPI description defines them (@octokit/openapi-types). */
type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
type StatusBody = Body<"repos/create-commit-status">;
type CheckRunBody = Body<"checks/create">;

const base64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A GitHub App JWT (RS256, 9 minutes, issued a minute in the past for clock drift). */
export function appJwt(appId: string, privateKey: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000) - 60;
  const head = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const body = base64url(JSON.stringify({ iat, exp: iat + 600, iss: appId }));
  const signature = createSign("RSA-SHA256").update(`${head}.${body}`).sign(privateKey);
  return `${head}.${body}.${base64url(signature)}`;
}

async function github(apiUrl: string, path: string, authorization: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(path, apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`), {
    method: "POST",
    headers: {
      accept: "application/vnd.github+json",
      authorization,
      "content-type": "application/json",
      "user-agent": "custody",
      "x-github-api-version": "2022-11-28",
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`GitHub answered ${res.status} to POST ${path}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function summaryOf(a: DecisionAnswer): { title: string; description: string; text: string } {
  const open = a.checks.filter((c) => !c.waived);
  const title = a.decision === "allow" ? "All checks passed" : a.decision === "warn" ? `Allowed with ${a.checks.length} exception(s)` : `${open.length} check(s) failed`;
  const description = a.decision === "deny" ? `${title}: ${open.map((c) => c.ruleId).join(", ")}` : title;
  const text = a.checks.map((c) => `- **${c.ruleId}** ${c.waived ? "(waived) " : ""}${c.reason}\n  To fix: ${c.remedy}`).join("\n");
  return { title, description: description.length > 140 ? `${description.slice(0, 137)}...` : description, text };
}

/**
 * Posts the decision on its commit: a commit status with a token, a check run with an App, named
 * by githubContext and linking to the evidence. Never throws: a decision stands whether or not
 * GitHub heard of it, and the report says what happened.
 */
export async function reportToGithub(db: Queryable, a: DecisionAnswer, settings: GithubReporting | null): Promise<GithubReport> {
  if (settings === null) return { skipped: "GitHub reporting is not configured" };
  const sha = a.subject.commitSha;
  if (sha === null || !/^[0-9a-f]{40}$/.test(sha)) return { skipped: "no full commit SHA for this decision" };
  const repository = await repositoryOf(db, a);
  if (repository === null) return { skipped: `no repository on record for commit ${sha}` };
  const context = githubContext(a.gate);
  const link = settings.publicUrl ? new URL(`/trace/${sha}`, settings.publicUrl).toString() : undefined;
  const { title, description, text } = summaryOf(a);
  try {
    if (settings.kind === "token") {
      const status: StatusBody = { state: a.decision === "deny" ? "failure" : "success", context, description, ...(link ? { target_url: link } : {}) };
      await github(settings.apiUrl, `repos/${repository}/statuses/${sha}`, `Bearer ${settings.token}`, status);
      return { posted: "status", context, repository, sha };
    }
    const installation = await github(settings.apiUrl, `app/installations/${settings.installationId}/access_tokens`, `Bearer ${appJwt(settings.appId, settings.privateKey)}`, {});
    const checkRun: CheckRunBody = {
      name: context,
      head_sha: sha,
      status: "completed",
      conclusion: a.decision === "deny" ? "failure" : a.decision === "warn" ? "neutral" : "success",
      completed_at: a.decidedAt,
      external_id: a.decisionId,
      ...(link ? { details_url: link } : {}),
      output: { title, summary: `${a.decision.toUpperCase()} at the ${a.gate} gate for ${a.environment} (policy ${a.policyVersion}, decision ${a.decisionId})`, text },
    };
    await github(settings.apiUrl, `repos/${repository}/check-runs`, `Bearer ${String(installation.token)}`, checkRun);
    return { posted: "check-run", context, repository, sha };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn("could not report a decision to GitHub", { decisionId: a.decisionId, error: message });
    return { error: message };
  }
}
