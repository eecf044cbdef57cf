import { AppError } from "../errors";
import { eventTypes, type CustodyEvent } from "../events/schema";
import { globMatches } from "../glob";

/** What an ingest token may send; an empty list means no limit on that dimension. */
export interface TokenLimits {
  eventTypes: readonly string[];
  /** Git repositories as globs (`acme/*`); checked on events that name a repository. */
  repositories: readonly string[];
  /** Checked on events that name an environment (deployments, snapshots, attestations, audit events). */
  environments: readonly string[];
}

export const noLimits: TokenLimits = { eventTypes: [], repositories: [], environments: [] };


const repositoryOf = (e: CustodyEvent): string | undefined =>
  e.type === "commit" || e.type === "pull_request" || e.type === "review" || e.type === "check_run" || e.type === "pipeline_run" ? e.repository : undefined;

const environmentOf = (e: CustodyEvent): string | undefined =>
  e.type === "deployment" || e.type === "snapshot" || e.type === "attestation" || e.type === "k8s_audit" || e.type === "migration" || e.type === "migration_snapshot"
    ? e.environment
    : undefined;

/** 403 FORBIDDEN naming the field and the scope it falls outside of; nothing of the request is stored. */
export function assertInScope(limits: TokenLimits, e: CustodyEvent, where: string): void {
  if (limits.eventTypes.length > 0 && !limits.eventTypes.includes(e.type)) {
    throw new AppError("FORBIDDEN", `${where}.type: "${e.type}" is outside this token's scope (event types: ${limits.eventTypes.join(", ")})`);
  }
  const repository = repositoryOf(e);
  if (repository !== undefined && limits.repositories.length > 0 && !limits.repositories.some((g) => globMatches(g, repository))) {
    throw new AppError("FORBIDDEN", `${where}.repository: "${repository}" is outside this token's scope (repositories: ${limits.repositories.join(", ")})`);
  }
  const environment = environmentOf(e);
  if (environment !== undefined && limits.environments.length > 0 && !limits.environments.includes(environment)) {
    throw new AppError("FORBIDDEN", `${where}.environment: "${environment}" is outside this token's scope (environments: ${limits.environments.join(", ")})`);
  }
}

const list = (input: string | undefined): string[] =>
  [
    ...new Set(
      (input ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];

/** Parses the comma-separated limits of `token create` and the admin form, naming the bad field. */
export function parseTokenLimits(input: { types?: string; repositories?: string; environments?: string }): TokenLimits {
  const types = list(input.types);
  for (const t of types) {
    if (!(eventTypes as readonly string[]).includes(t)) throw new AppError("VALIDATION", `types: unknown event type "${t}" (use ${eventTypes.join(", ")})`);
  }
  const repositories = list(input.repositories);
  for (const r of repositories) {
    if (!/^[\w.*-]+\/[\w.*-]+$/.test(r)) throw new AppError("VALIDATION", `repositories: "${r}" is not owner/name (globs like acme/* allowed)`);
  }
  const environments = list(input.environments);
  for (const env of environments) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(env)) throw new AppError("VALIDATION", `environments: "${env}" is not a lowercase environment name`);
  }
  return { eventTypes: types, repositories, environments };
}

/** `90d`, `12h`, `30m` from now, or an ISO date; undefined input means no expiry. */
export function parseExpiry(input: string | undefined, now = new Date()): Date | null {
  const v = input?.trim();
  if (!v) return null;
  const m = /^(\d{1,5})([dhm])$/.exec(v);
  let at: Date;
  if (m) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
    at = new Date(now.getTime() + Number(m[1]) * unit);
  } else {
    at = new Date(v);
    if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw new AppError("VALIDATION", `expires: "${v}" is neither a duration (90d, 12h, 30m) nor an ISO date`);
  }
  if (at.getTime() <= now.getTime()) throw new AppError("VALIDATION", `expires: ${at.toISOString()} is not in the future`);
  return at;
}

/** "types deployment, snapshot; environments staging; expires 2027-03-01T00:00:00.000Z", or "any event" for an unlimited token. */
export function describeLimits(limits: TokenLimits, expiresAt: Date | null): string {
  const parts: string[] = [];
  if (limits.eventTypes.length > 0) parts.push(`types ${limits.eventTypes.join(", ")}`);
  if (limits.repositories.length > 0) parts.push(`repositories ${limits.repositories.join(", ")}`);
  if (limits.environments.length > 0) parts.push(`environments ${limits.environments.join(", ")}`);
  if (parts.length === 0) parts.push("no limits");
  parts.push(expiresAt ? `expires ${expiresAt.toISOString()}` : "never expires");
  return parts.join("; ");
}
