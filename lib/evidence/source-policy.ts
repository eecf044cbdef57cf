import type { Attestation, CheckRun, Commit, Deployment, ImageBuild, PipelineRun, PullRequest, Review } from "@/db/schema";
import type { SetAsideFact } from "../policy/evidence";
import type { Policy } from "../policy/settings";
import { ruleOnSource, type FactKind } from "../policy/sources";
import { sourceOfRow } from "./source";

type Sourced = { sourceKind: string; sourceId: string; sourceVerified: boolean };

/**
 * Sorts linked facts into those the policy lets checks use and those it sets aside (kept, with
 * their source and the rule that refused them). Built once per gather, for all its deployments.
 */
export class SourceJudge {
  constructor(
    private readonly policy: Pick<Policy, "evidenceSources">,
    private readonly webhookRepositories: ReadonlySet<string>,
  ) {}

  ruling(fact: FactKind, row: Sourced, repository: string | null): ReturnType<typeof ruleOnSource> {
    return ruleOnSource(this.policy.evidenceSources, fact, sourceOfRow(row), repository, this.webhookRepositories);
  }

  accepts(fact: FactKind, row: Sourced, repository: string | null): boolean {
    return this.ruling(fact, row, repository).accepted;
  }

  /** The rows the policy accepts; the others go to `aside`. */
  filter<R extends Sourced>(fact: FactKind, rows: readonly R[], repositoryOf: (r: R) => string | null, refOf: (r: R) => string, aside: SetAsideFact[]): R[] {
    const kept: R[] = [];
    for (const r of rows) {
      const ruling = this.ruling(fact, r, repositoryOf(r));
      if (ruling.accepted) kept.push(r);
      else aside.push({ fact, ref: refOf(r), source: sourceOfRow(r), rule: ruling.rule, accepts: ruling.accepts });
    }
    return kept;
  }
}

export const refs = {
  pullRequest: (p: PullRequest) => `${p.repository}#${p.number}`,
  review: (r: Review) => `review ${r.externalId} by ${r.reviewer} on ${r.repository}#${r.pullNumber}`,
  commit: (c: Commit) => `commit ${c.sha.slice(0, 12)}`,
  checkRun: (c: CheckRun) => `check "${c.name}" on ${c.headSha.slice(0, 12)}`,
  run: (r: PipelineRun) => `${r.provider} run ${r.runId}`,
  build: (b: ImageBuild) => `build of ${b.repository}@${b.digest.slice(0, 19)}`,
  deployment: (d: Deployment) => `deployment ${d.externalId}`,
  attestation: (a: Attestation) => `${a.type} attestation ${a.externalId}`,
};
