/** What the release engineer can do about a failed check, given the subject of the decision. */
export interface RemedyContext {
  digest: string | null;
  service: string;
  environment: string;
  commitSha: string | null;
}

const attest = (type: string, c: RemedyContext, subject: string, environment?: string) =>
  `npx custody push - <<< '{"id":"${type}-${short(subject)}","type":"attestation","occurredAt":"<now>","attestationType":"${type}",` +
  `"subject":"${subject}","service":"${c.service}"${environment ? `,"environment":"${environment}"` : ""},"result":"pass"}'`;

const short = (s: string) => s.replace(/^sha256:/, "").slice(0, 12);

/**
 * One sentence per rule, an instruction rather than a diagnosis (the check's own reason says what
 * is wrong). Rules without an entry get a generic pointer, so a new rule never breaks a decision.
 */
const remedies: Partial<Record<string, (c: RemedyContext) => string>> = {
  "merge.independent-approval": () => "have someone who neither wrote nor opened the pull request approve it on GitHub/GitLab",
  "merge.approval-current": () => "ask the reviewer to approve again: commits landed after the last approval",
  "merge.no-manual-instructions": () => "remove the hand-run instructions (kubectl, ssh) from the pull request and put the change in the manifests",
  "merge.checks-passed": () => "let the required CI checks pass on the merge commit (no skipped checks, no admin bypass)",
  "deploy.built-by-ci": (c) => `build ${c.digest ?? "the image"} in CI and send its image_build event (builder = the CI identity)`,
  "deploy.commit-matches": () => "deploy the image built from the approved merge commit, tagged with that commit SHA",
  "deploy.immutable-ref": (c) => `reference the image by digest (${c.digest ?? "image@sha256:..."}) or a commit-SHA tag, never latest`,
  "deploy.manifest-from-vcs": () => "apply manifests from a commit and pass it: --manifest-commit <sha> (or manifestCommitSha in the request)",
  "deploy.pipeline-actor": () => "run the deployment from the pipeline and pass its run: --provider <ci> --run-id <id> (a push-triggered run, not a hand-started one)",
  "deploy.rollback-ready": (c) => `keep the previous tagged images and send a rollback test: ${attest("rollback-test", c, c.digest ?? c.service, "staging")}`,
  "prod.staging-verified": (c) =>
    `deploy ${c.digest ?? "this digest"} to staging first, then send its staging verification: ${attest("staging-verification", c, c.digest ?? "<digest>", "staging")}`,
  "prod.digest-matches-staging": (c) => `promote the exact digest that ran in staging; ${c.digest ?? "this digest"} did not`,
  "prod.network-verified": (c) => `run the DNS, certificate and network checks for ${c.service} in ${c.environment} and send: ${attest("network-check", c, c.service, c.environment)}`,
  "prod.backup-verified": (c) => `verify a backup of ${c.service} (within the policy's freshness) and send: ${attest("backup-verification", c, c.service, c.environment)}`,
  "prod.approved-before-deploy": () => "get the change approved before applying it to production",
  "image.base-pinned": () => "pin every base image (FROM) to a digest and rebuild in CI",
  "image.multi-stage": () => "build the image in several stages so build tools stay behind, and rebuild in CI",
  "image.size-limit": () => "make the image smaller than the policy's size limit and rebuild in CI",
  "image.scanned": (c) => `scan ${c.digest ?? "the image"} before push and fix (or waive) what blocks; send the scan result with the image_build event`,
  "image.sha-tag": (c) => `tag the image with its commit SHA${c.commitSha ? ` (${c.commitSha.slice(0, 12)})` : ""}, not latest`,
  "image.no-baked-secrets": () => "remove the secrets baked into the image, inject them at deploy time, and rebuild",
};

export function remedyFor(ruleId: string, c: RemedyContext): string {
  return remedies[ruleId]?.(c) ?? `send the evidence ${ruleId} needs (see the rule in Custody's rules catalogue)`;
}
