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
  return (await digestVerdicts(db, [digest], environment)).get(digest) as CachedVerdict;
}

/**
 * digestVerdict for all the images of one review at once: the cached ones from memory, the rest in
 * one statement (one round trip on one connection, whatever the number of containers).
 */
export async function digestVerdicts(db: Queryable, digests: string[], environment: string): Promise<Map<string, CachedVerdict>> {
  const out = new Map<string, CachedVerdict>();
  const missing: string[] = [];
  for (const d of new Set(digests)) {
    const hit = cachedVerdict(d, environment);
    if (hit !== undefined) out.set(d, hit);
    else missing.push(d);
  }
  if (missing.length === 0) return out;
  const rows = await queryRows<Row & { digest: string }>(
    db,
    sql`select distinct on (digest) digest, decision, decision_id, checks from gate_decisions
        where digest = any(${sql.param(missing)}::text[]) and environment = ${environment} and gate in ('deployment', 'production-apply')
        order by digest, decided_at desc, id desc`,
  );
  const byDigest = new Map(rows.map((r) => [r.digest, r]));
  for (const digest of missing) {
    const verdict = verdictOf(digest, environment, byDigest.get(digest));
    cacheVerdict(digest, environment, verdict);
    out.set(digest, verdict);
  }
  return out;
}

function verdictOf(digest: string, environment: string, row: Row | undefined): CachedVerdict {
  const ask = `ask: npx custody assert --gate deployment --environment ${environment} --digest ${digest}`;
  if (row === undefined || row.decision === null) return { refusal: `${digest} has no deployment decision for ${environment}; ${ask}`, decisionId: null };
  if (row.decision === "deny") {
    const failed = (row.checks ?? []).filter((c) => !c.waived).map((c) => c.ruleId ?? "?");
    const outsideCi = failed.includes("deploy.built-by-ci") ? " (built outside CI)" : "";
    return { refusal: `${digest}${outsideCi} was denied at the deployment gate for ${environment} (decision ${row.decision_id}: ${failed.join(", ")})`, decisionId: row.decision_id };
  }
  return { refusal: null, decisionId: row.decision_id };
}
