import type {
  Attestation,
  CheckRun,
  Commit,
  Deployment,
  Environment,
  ImageBuild,
  PipelineRun,
  PullRequest,
  Review,
} from "@/db/schema";
import type { FactSource } from "../evidence/source";
import type { FactKind } from "./sources";
import type { LinkedProvenance } from "../provenance/judge";

/** The attestation types the checks read, as producers send them (`attestationType`). */
export const attestationTypes = {
  stagingVerification: ["staging-verification"],
  network: ["network-check", "dns-check", "certificate-check"],
  backup: ["backup-verification"],
  rollback: ["rollback-test"],
  vulnerabilityScan: ["vulnerability-scan"],
  secretScan: ["secret-scan"],
} as const satisfies Record<string, readonly string[]>;

export type AttestationGroup = keyof typeof attestationTypes;
export type AttestationsByGroup = Record<AttestationGroup, Attestation[]>;

/**
 * Everything the deployment and image checks may look at for one deployment, already linked.
 * A query layer fills it; the checks never query. A link that could not be made is `null` or an
 * empty list, and the check that needs it answers `missing-evidence` (or `fail` when the rule
 * says an absent record is itself the violation, e.g. no backup verification).
 */
export interface DeploymentEvidence {
  deployment: Deployment;
  /** The target environment; production-apply rules run only when `isProduction`. */
  environment: Pick<Environment, "name" | "rank" | "isProduction">;
  /** The image build of `deployment.digest`, or null when no build record has that digest. */
  build: ImageBuild | null;
  /** The pipeline run named by the build (`build.pipelineProvider` / `pipelineRunId`). */
  buildRun: PipelineRun | null;
  /** The pipeline run named by the deployment (`deployment.pipelineProvider` / `pipelineRunId`). */
  deployRun: PipelineRun | null;
  /** The commit the image was built from (`build.commitSha`, else `deployment.commitSha`). */
  commit: Commit | null;
  /** The pull request whose merge commit (or, failing that, head) is that commit. */
  pullRequest: PullRequest | null;
  /** The commits of that pull request, when known; their authors count as the change's authors. */
  pullRequestCommits: Commit[];
  /** Every review on that pull request, any state, in any order. */
  reviews: Review[];
  /** The check runs on the merged commit (the pull request's `mergeCommitSha`). */
  checkRuns: CheckRun[];
  /**
   * Successful or not, the deployments of the same service to the environment before production
   * (staging) whose digest equals `deployment.digest` or whose commit equals the deployed commit.
   */
  stagingDeployments: Deployment[];
  /**
   * Attestations grouped by `attestationTypes`: staging verification, vulnerability and secret
   * scans whose subject is the deployed digest; network, backup and rollback checks about the
   * deployment's service or environment. Any observation time; the checks pick by time.
   */
  attestations: AttestationsByGroup;
  /** Tagged images of the service currently retained in the registry, or null when unknown. */
  retainedImages: number | null;
  /** When the evaluation runs; anything observed after it is ignored, so a result is reproducible. */
  now: Date;
  /**
   * Facts linked to this deployment whose source the policy does not accept for that kind of fact:
   * left out of every field above (a check never uses them), kept here so a check that needed one
   * can name it and its source, and the chain can still show it.
   */
  setAside: SetAsideFact[];
  /**
   * The Sigstore bundles linked to `deployment.digest`, each with its verification (done by the
   * evaluator, cached by bundle hash). Absent or empty: no provenance was sent for the digest.
   */
  provenance?: LinkedProvenance[];
}

/** A fact the policy does not let a check use, with its source and the rule that refused it. */
export interface SetAsideFact {
  fact: FactKind;
  /** What it is: `acme/checkout#1842`, a review id, a digest. */
  ref: string;
  source: FactSource;
  /** The policy setting that decided, e.g. `accept.review` or `webhookOnlyForWebhookRepositories`. */
  rule: string;
  accepts: readonly string[];
}

export function emptyAttestations(): AttestationsByGroup {
  return { stagingVerification: [], network: [], backup: [], rollback: [], vulnerabilityScan: [], secretScan: [] };
}

/** Sorts attestation rows into the groups the checks read; rows of other types are left out. */
export function groupAttestations(rows: readonly Attestation[]): AttestationsByGroup {
  const groups = emptyAttestations();
  const entries = Object.entries(attestationTypes) as [AttestationGroup, readonly string[]][];
  for (const row of rows) {
    for (const [group, types] of entries) {
      if (types.includes(row.type)) groups[group].push(row);
    }
  }
  return groups;
}
