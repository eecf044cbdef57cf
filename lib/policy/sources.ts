import { z } from "zod";
import type { FactSource } from "../evidence/source";
import { globMatches } from "../glob";
import type { DeploymentRuleId } from "./catalogue";

/** The kinds of fact whose sources the policy rules on. A merge is part of the pull request fact. */
export const factKinds = ["commit", "pull_request", "review", "check_run", "pipeline_run", "image_build", "deployment", "attestation", "snapshot"] as const;
export type FactKind = (typeof factKinds)[number];

/** Source-control facts: for a repository that sends signed webhooks, only the webhook counts by default. */
export const sourceControlFacts: readonly FactKind[] = ["commit", "pull_request", "review", "check_run"];

/**
 * A source pattern: a kind (`github-webhook`, `gitlab-webhook`, `attestation`, `cli`, `token`)
 * accepts any sender of that kind; `kind:name` one sender, with `*` globs (`token:gitlab-bridge`, `token:*`).
 */
const sourcePattern = z.string().regex(/^(github-webhook|gitlab-webhook|attestation|cli|token)(:[\w .:*-]{1,100})?$/, "must be a source kind, or kind:name (e.g. token:gitlab-bridge, token:*)");
const perFact = z.strictObject(Object.fromEntries(factKinds.map((k) => [k, z.array(sourcePattern)])) as Record<FactKind, z.ZodArray<typeof sourcePattern>>).partial();

export const evidenceSourcesSchema = z.strictObject({
  /** Which sources each kind of fact may come from, for every repository. */
  accept: perFact,
  /** Per repository or organisation (globs like `acme/*`), replacing `accept` for the facts named. */
  repositories: z.record(z.string().regex(/^[\w.*-]+\/[\w.*-]+$/, "must be owner/name, globs allowed"), perFact),
  /** For a repository that sends signed webhooks, source-control facts count only from a webhook, unless its `repositories` entry names the fact. */
  webhookOnlyForWebhookRepositories: z.boolean(),
});
export type EvidenceSources = z.infer<typeof evidenceSourcesSchema>;

const signed = ["github-webhook", "gitlab-webhook", "attestation"];
export const defaultEvidenceSources: EvidenceSources = {
  accept: {
    commit: [...signed, "cli"],
    pull_request: [...signed, "cli"],
    review: [...signed, "cli"],
    check_run: [...signed, "cli"],
    pipeline_run: [...signed, "cli", "token:*"],
    image_build: [...signed, "cli", "token:*"],
    deployment: [...signed, "cli", "token:*"],
    attestation: [...signed, "cli", "token:*"],
    snapshot: [...signed, "cli", "token:*"],
  },
  repositories: {},
  webhookOnlyForWebhookRepositories: true,
};

export function patternMatches(pattern: string, s: FactSource): boolean {
  const colon = pattern.indexOf(":");
  if (colon < 0) return pattern === s.kind && (s.kind !== "attestation" || s.verified);
  return pattern.slice(0, colon) === s.kind && globMatches(pattern.slice(colon + 1), s.id);
}

export interface SourceRuling {
  accepted: boolean;
  /** The patterns in force for this fact, for the reason a check gives. */
  accepts: readonly string[];
  /** Where they came from: `accept`, `repositories["acme/*"]` or the webhook-repository rule. */
  rule: string;
}

/** Whether the policy lets a fact of this kind, about this repository, count when it came from `s`. */
export function ruleOnSource(
  settings: EvidenceSources,
  fact: FactKind,
  s: FactSource,
  repository: string | null,
  webhookRepositories: ReadonlySet<string>,
): SourceRuling {
  if (repository !== null) {
    const entry = Object.entries(settings.repositories).find(([glob, facts]) => globMatches(glob, repository) && facts[fact] !== undefined);
    if (entry) {
      const accepts = entry[1][fact] ?? [];
      return { accepted: accepts.some((p) => patternMatches(p, s)), accepts, rule: `repositories["${entry[0]}"].${fact}` };
    }
    if (settings.webhookOnlyForWebhookRepositories && sourceControlFacts.includes(fact) && webhookRepositories.has(repository)) {
      const accepts = ["github-webhook", "gitlab-webhook"];
      return { accepted: accepts.some((p) => patternMatches(p, s)), accepts, rule: "webhookOnlyForWebhookRepositories" };
    }
  }
  const accepts = settings.accept[fact] ?? [];
  return { accepted: accepts.some((p) => patternMatches(p, s)), accepts, rule: `accept.${fact}` };
}

/** The facts each gate and image check reads besides the deployment itself (which always counts); `deployment` here means the staging deployments. */
export const factsUsedBy: Record<DeploymentRuleId, readonly FactKind[]> = {
  "merge.independent-approval": ["pull_request", "review", "commit"],
  "merge.approval-current": ["pull_request", "review"],
  "merge.no-manual-instructions": ["pull_request"],
  "merge.checks-passed": ["pull_request", "check_run"],
  "deploy.built-by-ci": ["image_build", "pipeline_run"],
  "deploy.commit-matches": ["image_build", "pull_request", "commit"],
  "deploy.provenance-commit-matches": ["pull_request", "commit"],
  "deploy.immutable-ref": [],
  "deploy.manifest-from-vcs": [],
  "deploy.pipeline-actor": ["pipeline_run", "review", "pull_request"],
  "deploy.rollback-ready": ["attestation", "image_build"],
  "prod.staging-verified": ["attestation", "deployment"],
  "prod.digest-matches-staging": ["deployment"],
  "prod.network-verified": ["attestation"],
  "prod.backup-verified": ["attestation"],
  "prod.approved-before-deploy": ["pull_request", "review"],
  "image.base-pinned": ["image_build"],
  "image.multi-stage": ["image_build"],
  "image.size-limit": ["image_build"],
  "image.scanned": ["image_build", "attestation"],
  "image.sha-tag": ["image_build"],
  "image.no-baked-secrets": ["image_build", "attestation"],
  "image.provenance-verified": [],
};
