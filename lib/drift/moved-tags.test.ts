import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { judgedBothWaysInFile } from "../testing/judged-both-ways";

/**
 * drift.mutable-tag names the other digests a tag resolved to across the snapshot's peers: the
 * previous snapshot of its environment and the latest snapshot of every other environment up to its
 * time, never a later one, wherever their months lie. `ghcr.io/acme/api:1.2` is A in staging
 * (February), P0 in production's previous snapshot, B in production now (March), and C in qa only
 * after that: production's finding must name A and P0, not C. Judged snapshot by snapshot and as one
 * group (the two paths of lib/drift/gather.ts), with the same result.
 */
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = "ghcr.io/acme/api:1.2";
const snapshot = (id: string, environment: string, occurredAt: string, d: string) => ({
  id,
  type: "snapshot",
  occurredAt,
  environment,
  workloads: [{ namespace: "shop", kind: "Deployment", name: "api", service: "api", containers: [{ name: "api", image, digest: d }] }],
});
const snapshots = [
  snapshot("stg-1", "staging", "2026-02-20T09:00:00Z", digest("a")),
  snapshot("prod-0", "production", "2026-02-27T09:00:00Z", digest("0")),
  snapshot("prod-1", "production", "2026-03-02T09:00:00Z", digest("b")),
  snapshot("qa-1", "qa", "2026-03-05T09:00:00Z", digest("c")),
];


type Row = { environment: string; snapshot: string; others: string[] };
const mutableFindings = (h: DatabaseHandle) =>
  queryRows<Row>(
    h.db,
    sql`select f.environment, f.evidence->'snapshot'->>'externalId' as snapshot,
          array(select jsonb_array_elements_text(f.evidence->'otherDigests') order by 1) as others
        from findings f where f.rule_id = 'drift.mutable-tag' order by f.environment, f.id`,
  );

const both = judgedBothWaysInFile([], snapshots);

describe("the other digests of a mutable tag", () => {
  it("come from the previous snapshot of the environment and the latest of the others up to it, not from later ones", async () => {
    const production = (await mutableFindings(both.one)).filter((r) => r.environment === "production");
    expect(production.at(-1)).toEqual({ environment: "production", snapshot: "prod-1", others: [digest("0"), digest("a")] });
    // qa's snapshot came after production's: qa's own finding sees production's B and staging's A.
    const qa = (await mutableFindings(both.one)).filter((r) => r.environment === "qa");
    expect(qa.at(-1)).toEqual({ environment: "qa", snapshot: "qa-1", others: [digest("a"), digest("b")] });
  });

  it("come out the same when the four snapshots are judged as one group", async () => {
    const rows = await mutableFindings(both.grouped);
    expect(rows).toEqual(await mutableFindings(both.one));
    expect(rows.some((r) => r.snapshot === "prod-1" && r.others.length === 2)).toBe(true);
  });
});
