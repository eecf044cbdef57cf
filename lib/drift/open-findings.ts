import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { findings } from "@/db/schema";
import type { FindingInput } from "../findings/store";
import { ruleById } from "../policy";

/**
 * `openFinding` for many findings in one statement, with the same merge on conflict (a first
 * adoption snapshot can fail thousands of containers; one round trip each would dominate).
 * Inputs must be unique by rule and subject. Candidate to move into lib/findings/store.ts.
 */
export async function openFindings(db: Queryable, inputs: FindingInput[]): Promise<void> {
  for (let i = 0; i < inputs.length; i += 500) {
    const batch = inputs.slice(i, i + 500);
    await db
      .insert(findings)
      .values(
        batch.map((f) => ({
          ruleId: f.ruleId,
          severity: ruleById(f.ruleId).severity,
          status: "open",
          subjectKey: f.subjectKey,
          environment: f.environment ?? null,
          service: f.service ?? null,
          workload: f.workload ?? null,
          deploymentId: f.deploymentId ?? null,
          actor: f.actor ?? null,
          summary: f.summary,
          evidence: f.evidence,
          openedAt: f.observedAt,
          lastSeenAt: f.observedAt,
        })),
      )
      .onConflictDoUpdate({
        target: [findings.ruleId, findings.subjectKey],
        targetWhere: sql`status = 'open'`,
        set: {
          openedAt: sql`least(${findings.openedAt}, excluded.opened_at)`,
          lastSeenAt: sql`greatest(${findings.lastSeenAt}, excluded.last_seen_at)`,
          summary: sql`excluded.summary`,
          evidence: sql`excluded.evidence`,
          actor: sql`coalesce(excluded.actor, ${findings.actor})`,
          deploymentId: sql`coalesce(excluded.deployment_id, ${findings.deploymentId})`,
        },
      });
  }
}
