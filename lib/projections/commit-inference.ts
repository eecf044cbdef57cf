import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { EventOf } from "../events/schema";
import type { Touched } from "./touched";

type Row = { id: number | string; external_id: string; service: string; commit_sha: string; digest: string | null; inferred: string | null; candidates: string[] | null };
type BuildRow = { commit_sha: string; digest: string; repository: string; service: string | null };

/**
 * A deployment that names a commit but no digest (GitHub's `deployment` event) is linked to the
 * image built from that commit: the digest is set, marked inferred, when exactly one image was
 * built from it (or exactly one of several is the deployment's service). With several and no way
 * to choose, none is picked and the candidates are kept for the chain and deploy.commit-matches.
 * Recomputed whenever a deployment or a build of that commit arrives, so the result depends only
 * on the evidence present, not on its order (a second build of the commit withdraws a guess).
 */
export async function inferDigestsByCommit(tx: Queryable, deploymentEvents: EventOf<"deployment">[], touched: Touched): Promise<void> {
  const shas = [...new Set([...touched.commitShas, ...deploymentEvents.flatMap((e) => (e.commitSha ? [e.commitSha] : []))])];
  if (shas.length === 0) return;
  const deps = await queryRows<Row>(
    tx,
    sql`select id, external_id, service, commit_sha, digest, digest_inferred_from as inferred, digest_candidates as candidates from deployments
        where commit_sha = any(${sql.param(shas)}::text[]) and (digest is null or digest_inferred_from is not null)`,
  );
  if (deps.length === 0) return;
  const builds = await queryRows<BuildRow>(
    tx,
    sql`select commit_sha, digest, repository, service from image_builds where commit_sha = any(${sql.param([...new Set(deps.map((d) => d.commit_sha))])}::text[])`,
  );
  for (const d of deps) {
    const ofCommit = builds.filter((b) => b.commit_sha === d.commit_sha);
    const digests = [...new Set(ofCommit.map((b) => b.digest))].sort();
    const ofService = [...new Set(ofCommit.filter((b) => b.service === d.service || b.repository.endsWith(`/${d.service}`)).map((b) => b.digest))];
    const chosen = digests.length === 1 ? digests[0] : ofService.length === 1 ? ofService[0] : undefined;
    const next = chosen
      ? { digest: chosen, inferred: d.commit_sha, candidates: null }
      : { digest: null, inferred: null, candidates: digests.length > 1 ? digests : null };
    if (next.digest === d.digest && next.inferred === d.inferred && JSON.stringify(next.candidates) === JSON.stringify(d.candidates)) continue;
    await tx.execute(
      sql`update deployments set digest = ${next.digest}, digest_inferred_from = ${next.inferred},
            digest_candidates = ${next.candidates === null ? null : sql`${sql.param(next.candidates)}::text[]`}
          where id = ${Number(d.id)}`,
    );
    touched.deploymentKeys.add(d.external_id);
    touched.services.add(d.service);
    for (const x of [d.digest, next.digest]) if (x) touched.digests.add(x);
  }
}
