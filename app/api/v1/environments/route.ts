import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { observedEnvironments, openFindingTotals } from "@/lib/evidence/observed";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/**
 * Each environment's recorded deployments (`services`, as before) and, observed first, what its
 * latest snapshot saw per workload (`observed`), from the same read model as the pages.
 */
export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const [envs, openFindings] = await Promise.all([observedEnvironments(db), openFindingTotals(db)]);
  return json({
    environments: envs.map((e) => ({
      name: e.name,
      rank: e.rank,
      isProduction: e.isProduction,
      services: e.services.flatMap((s) => (s.recorded ? [s.recorded] : [])),
      lastDeploymentAt: e.lastDeploymentAt,
      lastSnapshotAt: e.snapshot?.observedAt ?? null,
      openFindings: e.openFindings,
      snapshot: e.snapshot,
      openIncidents: e.openIncidents,
      wrong: e.wrong,
      observed: e.services,
    })),
    openFindings,
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
