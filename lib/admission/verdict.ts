import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { cacheVerdict, cachedVerdict, type CachedVerdict } from "../gates/cache";

type Row = { decision: string | null; decision_id: string | null; checks: { ruleId?: string; waived?: boolean }[] | null };

/**
 * May this digest run in this environment? Only when the latest deployment (or production-apply)
 * decision for it there is `allow` or `warn`: the admission webhook judges nothing itself, it holds
 * the cluster to what the one evaluation answered. Cached per digest and environment.
 */
export async function digestVerdict(db: Queryable, digest: string, environment: string): Promise<CachedVerdict> {
  const hit = cachedVerdict(digest, environment);
  if (hit !== undefined) return hit;
  const [row] = await queryRows<Row>(
    db,
    sql`select decision, decision_id, checks from gate_decisions
        where digest = ${digest} and environment = ${environment} and gate in ('deployment', 'production-apply')
        order by decided_at desc, id desc limit 1`,
  );
  const ask = `ask: npx custody assert --gate deployment --environment ${environment} --digest ${digest}`;
  let verdict: CachedVerdict;
  if (row === undefined || row.decision === null) {
    verdict = { refusal: `${digest} has no deployment decision for ${environment}; ${ask}`, decisionId: null };
  } else if (row.decision === "deny") {
    const failed = (row.checks ?? []).filter((c) => !c.waived).map((c) => c.ruleId ?? "?");
    const outsideCi = failed.includes("deploy.built-by-ci") ? " (built outside CI)" : "";
    verdict = { refusal: `${digest}${outsideCi} was denied at the deployment gate for ${environment} (decision ${row.decision_id}: ${failed.join(", ")})`, decisionId: row.decision_id };
  } else {
    verdict = { refusal: null, decisionId: row.decision_id };
  }
  cacheVerdict(digest, environment, verdict);
  return verdict;
}
