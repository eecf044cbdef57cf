import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { control, controlLabel, type Framework } from "../policy/controls";
import type { Policy } from "../policy/settings";
import { judgeProvenance, type LinkedProvenance } from "../provenance/judge";
import { provenanceOfDigests } from "../provenance/store";
import type { ReportParams } from "./params";
import { populationWhere } from "./scope";

/** The controls the provenance section speaks to: build and supplier integrity. */
const provenanceControls: Record<Framework, string[]> = { iso27001: ["8.32", "8.28", "5.21"], soc2: ["CC8.1", "CC7.1"] };

export interface ProvenanceException {
  changeId: string;
  service: string;
  environment: string;
  deployedAt: string;
  digest: string;
  /** `no provenance`, `not verified: untrusted CA`, `signer does not match the policy: …`. */
  status: string;
}

export interface ProvenanceSummary {
  controls: string[];
  /** Production deployments in scope (the population). */
  deployments: number;
  /** Of those, deployed digests with verified provenance from an expected signer. */
  verified: number;
  /** verified / deployments, null for an empty population. */
  share: number | null;
  exceptions: { total: number; shown: ProvenanceException[] };
  /** Every deployment without trusted provenance counted by its status, most frequent first. */
  byStatus: { status: string; count: number }[];
  /** Deployments with no provenance at all, per service, most first. */
  absentByService: { service: string; count: number }[];
}

/**
 * Share of the population whose image had verified Sigstore provenance from a signer the policy
 * expects, and every deployment without it. Verdicts come from the evaluator's cache (verified
 * now, and cached, for a bundle never evaluated).
 */
export async function provenanceSummary(db: Queryable, p: ReportParams, policy: Policy, shownLimit = 200): Promise<ProvenanceSummary> {
  const rows = await queryRows<{ external_id: string; service: string; environment: string; deployed_at: Date | string; digest: string | null }>(
    db,
    sql`select d.external_id, d.service, d.environment, d.deployed_at, d.digest from deployments d where ${populationWhere(p)} order by d.deployed_at, d.id`,
  );
  const digests = [...new Set(rows.map((r) => r.digest).filter((d): d is string => d !== null))];
  const byDigest = new Map<string, LinkedProvenance[]>();
  for (let i = 0; i < digests.length; i += 1000) {
    for (const [d, links] of await provenanceOfDigests(db, digests.slice(i, i + 1000))) byDigest.set(d, links);
  }
  let verified = 0;
  let total = 0;
  const shown: ProvenanceException[] = [];
  const byStatus = new Map<string, number>();
  const absentByService = new Map<string, number>();
  for (const r of rows) {
    const j = judgeProvenance(r.digest ? (byDigest.get(r.digest) ?? []) : [], r.service, policy);
    const trusted = j.state === "verified" && j.signerMatch !== null && j.signerMatch.matched !== null;
    if (trusted) {
      verified += 1;
      continue;
    }
    total += 1;
    const status =
      j.state === "absent"
        ? "no provenance"
        : j.state === "not-verified"
          ? `not verified: ${j.reason ?? "unknown"}`
          : `signer does not match the policy: ${(j.signerMatch?.mismatches ?? []).join("; ")}`;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (j.state === "absent") absentByService.set(r.service, (absentByService.get(r.service) ?? 0) + 1);
    if (shown.length >= shownLimit) continue;
    shown.push({
      changeId: r.external_id,
      service: r.service,
      environment: r.environment,
      deployedAt: new Date(r.deployed_at).toISOString(),
      digest: r.digest ?? "(unresolved)",
      status,
    });
  }
  return {
    controls: provenanceControls[p.framework].map((id) => controlLabel(control(p.framework, id))),
    deployments: rows.length,
    verified,
    share: rows.length === 0 ? null : verified / rows.length,
    exceptions: { total, shown },
    byStatus: [...byStatus].map(([status, count]) => ({ status, count })).sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
    absentByService: [...absentByService].map(([service, count]) => ({ service, count })).sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
  };
}
