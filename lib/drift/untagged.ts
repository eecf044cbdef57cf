import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { openFindings, resolveFindings } from "../findings/store";
import type { Policy } from "../policy";
import { judgeUntagged } from "../policy/drift/untagged-rule";
import type { Touched } from "../projections/touched";

type Row = { repository: string; external_id: string; observed_at: Date | string; untagged: { digest: string; pushedAt: string | null }[] | string | null; service: string | null };

/** `registry/<repository>`: registry hygiene is a fact about a repository, whatever runs from it. */
export const registrySubject = (repository: string): string => `registry/${repository}`;

/**
 * `drift.untagged-images-kept` for each repository whose listing (with its untagged images) the
 * batch stored: judged on the repository's newest such listing, so a listing that arrives late
 * changes nothing; a failure opens (or refreshes) one finding per repository, a pass resolves it.
 */
export async function evaluateUntagged(db: Queryable, touched: Touched, policy: Policy): Promise<number> {
  let changed = 0;
  for (const repository of [...touched.registryRepositories].sort()) {
    const [row] = await queryRows<Row>(
      db,
      sql`select l.repository, l.external_id, l.observed_at, l.untagged,
                 (select b.service from image_builds b where b.repository = l.repository and b.service is not null order by b.built_at desc limit 1) as service
            from registry_tag_lists l
           where l.repository = ${repository} and l.untagged is not null
           order by l.observed_at desc, l.id desc limit 1`,
    );
    if (!row || row.untagged === null) continue;
    const untagged = typeof row.untagged === "string" ? (JSON.parse(row.untagged) as { digest: string; pushedAt: string | null }[]) : row.untagged;
    const observedAt = row.observed_at instanceof Date ? row.observed_at : new Date(row.observed_at);
    const outcome = judgeUntagged({ repository, observedAt, untagged }, policy.untaggedImageMaxAgeDays);
    if (outcome.result === "pass") {
      changed += await resolveFindings(db, outcome.ruleId, [registrySubject(repository)], observedAt, `${outcome.reason} (listing ${row.external_id})`);
      continue;
    }
    await openFindings(db, [
      {
        policyVersion: policy.version,
        ruleId: outcome.ruleId,
        subjectKey: registrySubject(repository),
        environment: null,
        service: row.service,
        workload: null,
        actor: null,
        summary: outcome.reason,
        evidence: {
          repository,
          listing: row.external_id,
          observedAt: observedAt.toISOString(),
          maxAgeDays: policy.untaggedImageMaxAgeDays,
          untagged: untagged.length,
          stale: outcome.stale.length,
          oldest: outcome.stale.slice(0, 20),
        },
        observedAt,
      },
    ]);
    changed += 1;
  }
  return changed;
}
