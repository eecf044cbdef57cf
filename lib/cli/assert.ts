import type { DecisionAnswer } from "../gates/decide";
import { decide } from "../gates/decide";
import { exitCodeOf, formatDecision } from "../gates/format";
import { withDatabase } from "./database";
import { CliError } from "./output";
import { postJson } from "./remote";

type Values = Record<string, string | boolean | undefined>;
const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);


/** The decision request from the flags; in GitHub Actions the run defaults to this workflow run. */
export function assertRequest(values: Values, env: Record<string, string | undefined> = process.env): Record<string, unknown> {
  const runId = str(values, "run-id") ?? (env.GITHUB_ACTIONS === "true" ? env.GITHUB_RUN_ID : undefined);
  const provider = str(values, "provider") ?? (env.GITHUB_ACTIONS === "true" ? "github-actions" : undefined);
  const reason = str(values, "break-glass-reason");
  const person = str(values, "break-glass-person");
  if ((reason === undefined) !== (person === undefined)) throw new CliError("--break-glass-reason and --break-glass-person go together", 2);
  const request: Record<string, unknown> = {
    gate: str(values, "gate"),
    environment: str(values, "environment"),
    service: str(values, "service"),
    digest: str(values, "digest"),
    commitSha: str(values, "commit"),
    pullRequest: str(values, "pr"),
    imageRef: str(values, "image-ref"),
    manifestCommitSha: str(values, "manifest-commit"),
    pipelineRun: runId && provider ? { provider, runId } : undefined,
    breakGlass: reason && person ? { reason, person } : undefined,
  };
  if (!request.gate) throw new CliError("--gate is required (merge, deployment or production-apply)", 2);
  if (!request.environment) throw new CliError("--environment is required (e.g. --environment production)", 2);
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined));
}

/** `custody assert`: exits 0 on allow or warn, 1 on deny, 2 when the question itself is wrong. */
export async function assertCommand(values: Values): Promise<number> {
  const request = assertRequest(values);
  const url = str(values, "url");
  const token = str(values, "token") ?? process.env.CUSTODY_TOKEN;
  let answer: DecisionAnswer;
  if (url) {
    if (!token) throw new CliError("--token (or CUSTODY_TOKEN) is required with --url", 2);
    answer = await postJson<DecisionAnswer>(url, "/api/v1/decisions", token, request);
  } else {
    answer = await withDatabase(({ db }) => decide(db, request, `cli:${process.env.USER ?? "unknown"}`));
  }
  process.stdout.write(formatDecision(answer));
  return exitCodeOf(answer.decision);
}
