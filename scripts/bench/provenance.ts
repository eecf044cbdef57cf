import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "@/db/client";
import { migrate } from "@/db/migrate";
import { gatherEvidence } from "@/lib/evidence/gather";
import { evaluateDeployment } from "@/lib/policy/evaluate";
import { resolvePolicy } from "@/lib/policy/settings";
import { attachProvenance } from "@/lib/provenance/attach";
import { bundleSha256, parseBundles } from "@/lib/provenance/bundle";
import { clearVerificationMemo, configuredTrustRoots, verificationsOf } from "@/lib/provenance/store";
import { percentile, type BenchContext, type Figure } from "./figure";
import { benchDatabase } from "./server";
import { benchRowsFromCli } from "./sources";

const DB_NAME = "custody_bench_provenance";
/** Distinct bundles verified from scratch by the evaluator's path (read, verify, cache). */
const BUNDLES = 600;
/** Changes, each deployed to development, staging and production, each digest with a verified bundle. */
const CHANGES = 4_000;
const RUNS = 300;

const fixtures = path.join(import.meta.dirname, "..", "..", "lib", "provenance", "fixtures");
const bundle = (name: string) => {
  const [b] = parseBundles(readFileSync(path.join(fixtures, name), "utf8"), 1 << 20);
  if (!b) throw new Error(name);
  return b.json;
};

export async function benchProvenance(ctx: BenchContext): Promise<Figure[]> {
  const database = await benchDatabase(ctx.serverUrl, DB_NAME);
  const h = await openDatabase({ url: database.url });
  try {
    await migrate(h);
    const db = h.db;
    const trust = configuredTrustRoots();
    // Real bundles (GitHub CLI test data, MIT), each made distinct by a field the verifier ignores,
    // so every one is a cache miss: verified in full (chain, SCT, Rekor entry, signature).
    const real = [bundle("sigstore-js-2.1.0-bundle.json"), bundle("sigstore-js-2.1.0-bundle-v0.1.json"), bundle("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"), bundle("sigstoreBundle-invalid-signature.json")];
    const rows = Array.from({ length: BUNDLES }, (_, i) => {
      const json = { ...real[i % real.length], benchCopy: i };
      return { sha: bundleSha256(json), json };
    });
    for (let i = 0; i < rows.length; i += 200) {
      const batch = rows.slice(i, i + 200);
      await db.execute(sql`insert into provenance_bundles (bundle_sha256, digest, external_id, media_type, bundle, received_at)
        select x.sha, null, x.sha, 'bench', x.json::jsonb, now() from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(sha text, json text)`);
    }
    clearVerificationMemo();
    const t0 = performance.now();
    const verdicts = await verificationsOf(
      db,
      rows.map((r) => r.sha),
      trust,
    );
    const verifySeconds = (performance.now() - t0) / 1000;
    if (verdicts.size !== BUNDLES) throw new Error(`verified ${verdicts.size} of ${BUNDLES}`);

    // Gate evaluation with provenance: every digest has a verified bundle whose verdict is cached.
    const template = verdicts.get(rows[0]?.sha ?? "");
    if (!template || template.status !== "verified") throw new Error("the sigstore-js bundle did not verify");
    const digestSql = sql`'sha256:' || md5('d' || k) || md5('e' || k)`;
    const shaSql = sql`md5('c' || k) || substr(md5('h' || k), 1, 8)`;
    const at = sql`timestamptz '2025-01-01T00:00:00Z' + (k * 20) * interval '1 second'`;
    const series = sql`generate_series(0, ${CHANGES - 1}) k`;
    await benchRowsFromCli(db);
    await db.execute(sql`insert into environments (name, rank, is_production) values ('development', 0, false), ('staging', 1, false), ('production', 2, true) on conflict (name) do nothing`);
    await db.execute(sql`insert into image_builds (service, repository, digest, tags, commit_sha, pipeline_provider, pipeline_run_id, builder, stages, size_bytes, built_at)
      select 'svc-' || (k % 50), 'ghcr.io/bench/svc-' || (k % 50), ${digestSql}, array[${shaSql}], ${shaSql}, 'github-actions', (8000000000 + k)::text, 'github-actions', 2, 100000000, ${at} from ${series}`);
    await db.execute(sql`insert into deployments (external_id, service, environment, image_ref, digest, manifest_commit_sha, commit_sha, pipeline_provider,
        pipeline_run_id, actor, actor_type, status, deployed_at, source_updated_at)
      select 'dep-' || k || '-' || e.name, 'svc-' || (k % 50), e.name, 'ghcr.io/bench/svc-' || (k % 50) || '@' || ${digestSql}, ${digestSql}, ${shaSql}, ${shaSql}, 'github-actions',
        (8000000000 + k)::text, 'deploy-bot', 'pipeline', 'success', ${at} + e.rank * interval '1 hour', ${at}
      from ${series} cross join environments e`);
    await db.execute(sql`insert into provenance_bundles (bundle_sha256, digest, external_id, media_type, bundle, received_at)
      select 'b' || k, ${digestSql}, 'b' || k, 'bench', ${JSON.stringify(real[0])}::jsonb, ${at} from ${series}`);
    await db.execute(sql`insert into provenance_verifications (bundle_sha256, trust_fingerprint, status, result, verified_at)
      select 'b' || k, ${trust.fingerprint}, 'verified',
        jsonb_set(${JSON.stringify(template)}::jsonb, '{subjects}', jsonb_build_array(jsonb_build_object('name', 'bench', 'digests', jsonb_build_array(${digestSql})))), now()
      from ${series}`);
    await db.execute(sql`vacuum analyze`);
    const policy = resolvePolicy({ provenanceModeByEnvironment: { production: "required" } });
    clearVerificationMemo();
    const times: number[] = [];
    const cold: number[] = [];
    const without: number[] = [];
    let passed = 0;
    // Cold: verdicts read from provenance_verifications (a process that has not seen these bundles).
    for (let i = 0; i < RUNS; i++) {
      const k = Math.floor(Math.random() * CHANGES);
      const [dep] = await queryRows<{ id: number }>(db, sql`select id from deployments where external_id = ${`dep-${k}-production`}`);
      const t = performance.now();
      const ev = await gatherEvidence(db, [Number(dep?.id)], policy);
      await attachProvenance(db, ev);
      for (const e of ev.values()) evaluateDeployment(e, policy);
      cold.push(performance.now() - t);
    }
    // Steady state: the evaluator has seen the bundles (in-memory verdicts by bundle hash).
    await verificationsOf(db, Array.from({ length: CHANGES }, (_, k) => `b${k}`), trust);
    for (let i = 0; i < RUNS; i++) {
      const k = Math.floor(Math.random() * CHANGES);
      const [dep] = await queryRows<{ id: number }>(db, sql`select id from deployments where external_id = ${`dep-${k}-production`}`);
      const t0 = performance.now();
      for (const e of (await gatherEvidence(db, [Number(dep?.id)], policy)).values()) evaluateDeployment(e, policy);
      without.push(performance.now() - t0);
      const t = performance.now();
      const ev = await gatherEvidence(db, [Number(dep?.id)], policy);
      await attachProvenance(db, ev);
      for (const e of ev.values()) {
        const out = evaluateDeployment(e, policy);
        if (out.find((o) => o.ruleId === "image.provenance-verified")?.result === "pass") passed += 1;
      }
      times.push(performance.now() - t);
    }
    if (passed !== RUNS) throw new Error(`provenance passed in ${passed} of ${RUNS} evaluations`);
    const round = (n: number) => Math.round(n * 10) / 10;
    return [
      { figure: `provenance: bundles verified per second by the evaluator (${BUNDLES} distinct real bundles, read, verified, cached)`, value: round(BUNDLES / verifySeconds), unit: "/s", target: ">= 200" },
      { figure: `provenance: gather + attach provenance + evaluate one production deployment, provenance required, verdicts cached in memory (p95 of ${RUNS}, ${CHANGES * 3} deployments)`, value: round(percentile(times, 95)), unit: "ms", target: "< 10" },
      { figure: "provenance: the same with each verdict read from provenance_verifications (p95)", value: round(percentile(cold, 95)), unit: "ms", target: null },
      { figure: "provenance: the same gather + evaluate without attaching provenance, for reference (p95)", value: round(percentile(without, 95)), unit: "ms", target: null },
      { figure: "provenance: medians with provenance (in memory) / without, for reference", value: round(percentile(times, 50)), unit: `ms / ${round(percentile(without, 50))} ms`, target: null },
    ];
  } finally {
    await h.close();
    await database.drop();
  }
}
