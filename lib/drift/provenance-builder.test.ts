import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { judgedBothWaysInFile } from "../testing/judged-both-ways";

/**
 * drift.not-built-by-ci reads a build's builder from its provenance when the build event names none:
 * `builder.id` or `runDetails.builder.id`, at the root or under `predicate` (SLSA v0.2 and v1).
 * Drift reads only those parts of the document from Postgres; the rest (build definition, resolved
 * dependencies, metadata) stays there. Three images run in production, built without a `builder`:
 * api by GitHub's hosted runner (SLSA v1, under predicate.runDetails), worker by GitLab (SLSA v0.2,
 * builder at the root), report from a laptop (not a CI identity). Only report fails, naming the
 * laptop, judged snapshot by snapshot and as a group.
 */
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const big = Array.from({ length: 200 }, (_, i) => ({ uri: `git+https://github.com/acme/dep-${i}@refs/heads/main`, digest: { gitCommit: `${i}`.padStart(40, "0") } }));
const slsaV1 = (builderId: string) => ({
  _type: "https://in-toto.io/Statement/v1",
  predicateType: "https://slsa.dev/provenance/v1",
  predicate: {
    buildDefinition: { buildType: "https://actions.github.io/buildtypes/workflow/v1", externalParameters: { workflow: { ref: "refs/heads/main", repository: "https://github.com/acme/app", path: ".github/workflows/release.yml" } }, resolvedDependencies: big },
    runDetails: { builder: { id: builderId }, metadata: { invocationId: "https://github.com/acme/app/actions/runs/1/attempts/1" } },
  },
});
const images = [
  { service: "api", d: digest("a"), provenance: slsaV1("https://github.com/actions/runner/github-hosted") },
  { service: "worker", d: digest("b"), provenance: { builder: { id: "https://gitlab.com/acme/runners/shared" }, buildType: "https://gitlab.com/gitlab-ci", materials: big } },
  { service: "report", d: digest("c"), provenance: slsaV1("https://laptop.example/alice") },
];
const builds = images.map((x, i) => ({
  id: `build-${x.service}`,
  type: "image_build",
  occurredAt: `2026-03-14T0${i}:00:00Z`,
  repository: `ghcr.io/acme/${x.service}`,
  digest: x.d,
  tags: ["v1"],
  service: x.service,
  provenance: x.provenance,
}));
const snapshot = (id: string, occurredAt: string) => ({
  id,
  type: "snapshot",
  occurredAt,
  environment: "production",
  workloads: images.map((x) => ({ namespace: "shop", kind: "Deployment", name: x.service, service: x.service, containers: [{ name: x.service, image: `ghcr.io/acme/${x.service}@${x.d}`, digest: x.d }] })),
});

type Row = { subject_key: string; status: string; builds: { provenanceBuilder: string | null; ci: boolean }[] };
const ciFindings = (h: DatabaseHandle) =>
  queryRows<Row>(h.db, sql`select subject_key, status, evidence->'builds' as builds from findings where rule_id = 'drift.not-built-by-ci' order by subject_key, id`);

const both = judgedBothWaysInFile(builds, [snapshot("snap-1", "2026-03-14T10:00:00Z"), snapshot("snap-2", "2026-03-14T11:00:00Z")]);

describe("a build's builder named only in its provenance", () => {
  it("is read from runDetails or the root, and a builder that is not CI's fails drift.not-built-by-ci, named", async () => {
    const rows = await ciFindings(both.one);
    expect(rows.map((r) => [r.subject_key, r.status])).toEqual([["production/shop/Deployment/report/report", "open"]]);
    expect(rows[0]?.builds).toEqual([expect.objectContaining({ provenanceBuilder: "https://laptop.example/alice", ci: false })]);
  });

  it("comes out the same when the two snapshots are judged as one group", async () => {
    expect(await ciFindings(both.grouped)).toEqual(await ciFindings(both.one));
  });
});
