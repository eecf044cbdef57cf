import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database, type DatabaseHandle } from "@/db/client";
import { incidents } from "@/db/schema";
import { rebuildCheckRollups } from "@/lib/evaluation/rollups";
import { deploymentChain as evidenceChain } from "@/lib/evidence/deployments";
import { promotionView } from "@/lib/evidence/promotion";
import { traceRef as apiTrace } from "@/lib/evidence/trace";
import { byResult, chainVerdict, deploymentChain } from "./chain";
import { doraFigures } from "./dora";
import { listFindings } from "@/lib/findings/queries";
import { findingCountsByRule } from "./findings";
import { listIncidents } from "./incidents";
import { deploymentsPerDay, gatePassRateOverTime, openFindingsOverTime } from "./overview";
import { parsePeriod } from "./period";
import { exceptionsByRule, gateShares } from "./posture";
import { classifyRef, traceRef } from "./trace";
import { demoDatabase } from "@/lib/testing/demo-database";

let handle: DatabaseHandle;
let db: Database;
/** The demo history is the 90 days up to 2026-11-27, so this period holds all of it. */
const lastYear = () => parsePeriod("2026-08-01", "2026-11-30");
const count = async (q: ReturnType<typeof sql>) => Number((await queryRows<{ n: string | number }>(db, q))[0]?.n ?? 0);

beforeAll(async () => {
  handle = await demoDatabase("full");
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});

describe("overview", () => {
  it("counts every deployment of the period once, one row per day", async () => {
    const p = lastYear();
    const result = await deploymentsPerDay(db, p);
    const total = result.rows.reduce((n, r) => n + result.environments.reduce((m, e) => m + Number(r[e]), 0), 0);
    expect(total).toBe(await count(sql`select count(*) as n from deployments where deployed_at >= ${p.from} and deployed_at < ${p.to}`));
    expect(result.rows).toHaveLength(122);
    expect(result.environments).toEqual(["development", "staging", "production"]);
  });

  it("shows the findings still open at the end of today as the last point", async () => {
    const rows = await openFindingsOverTime(db, parsePeriod(null, null));
    expect(rows.at(-1)?.open).toBe(await count(sql`select count(*) as n from findings where status = 'open'`));
  });

  it("counts the findings open at the end of each day as a day-by-day range join would", async () => {
    const p = parsePeriod("2026-09-01", "2026-11-30");
    const joined = await queryRows<{ day: string; open: string | number }>(
      db,
      sql`select to_char(g.day, 'YYYY-MM-DD') as day, count(f.id) as open
          from generate_series(${p.from}::timestamptz, ${p.to}::timestamptz - interval '1 day', interval '1 day') as g(day)
          left join findings f on f.opened_at < g.day + interval '1 day' and (f.resolved_at is null or f.resolved_at >= g.day + interval '1 day')
          group by g.day order by g.day`,
    );
    const rows = await openFindingsOverTime(db, p);
    expect(rows).toEqual(joined.map((r) => ({ day: r.day, open: Number(r.open) })));
    expect(rows.some((r) => r.open > 0)).toBe(true);
  });

  it("gives the DORA figures from production deployments, with no incidents to restore", async () => {
    const p = lastYear();
    const dora = await doraFigures(db, p);
    expect(dora.productionDeployments).toBe(
      await count(sql`select count(*) as n from deployments where environment = 'production' and status = 'success' and deployed_at >= ${p.from}`),
    );
    expect(dora.leadTimeHours).toBeGreaterThan(0);
    expect(dora.incidentsClosed).toBe(0);
    expect(dora.timeToRestoreHours).toBeNull();
  });

  it("reads deployments per day, deployment frequency and lead time from the evaluator's roll-ups, equal to computing them from every deployment", async () => {
    const periods = [lastYear(), parsePeriod("2026-10-01", "2026-10-31"), parsePeriod("2026-11-20", "2026-11-27")];
    for (const p of periods) {
      const raw = await queryRows<{ day: string; environment: string; n: string | number }>(
        db,
        sql`select to_char((deployed_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, environment, count(*) as n
            from deployments where deployed_at >= ${p.from} and deployed_at < ${p.to} group by 1, 2`,
      );
      const perDay = await deploymentsPerDay(db, p);
      const cells = perDay.rows.flatMap((r) => perDay.environments.filter((e) => Number(r[e]) > 0).map((e) => `${r.day} ${e} ${Number(r[e])}`));
      expect(cells.sort()).toEqual(raw.map((r) => `${r.day} ${r.environment} ${Number(r.n)}`).sort());
      expect(cells.length).toBeGreaterThan(0);

      const [lead] = await queryRows<{ total: string | number; lead_seconds: string | number | null }>(
        db,
        sql`select count(*) as total, percentile_cont(0.5) within group (order by extract(epoch from d.deployed_at - c.committed_at)) filter (where c.committed_at is not null) as lead_seconds
            from deployments d join environments e on e.name = d.environment and e.is_production left join commits c on c.sha = d.commit_sha
            where d.status = 'success' and d.deployed_at >= ${p.from} and d.deployed_at < ${p.to}`,
      );
      const dora = await doraFigures(db, p);
      expect(dora.productionDeployments).toBe(Number(lead?.total));
      expect(dora.leadTimeHours).toBe(Math.round((Number(lead?.lead_seconds) / 3600) * 10) / 10);
      expect(dora.leadTimeHours).toBeGreaterThan(0);
    }
    // Rebuilt from the deployments, the roll-ups are what the evaluator kept batch by batch.
    const kept = await queryRows(db, sql`select * from deployment_rollups_daily order by day, environment`);
    expect(kept.length).toBeGreaterThan(30);
    await rebuildCheckRollups(db);
    expect(await queryRows(db, sql`select * from deployment_rollups_daily order by day, environment`)).toEqual(kept);
  });
});

describe("findings", () => {
  it("walks every open finding through the cursor exactly once, matching the counts by rule", async () => {
    const seen = new Set<number>();
    let cursor: string | null = null;
    do {
      const page = await listFindings(db, { status: "open", cursor: cursor ?? undefined, limit: 20 });
      for (const f of page.items) {
        expect(seen.has(f.id)).toBe(false);
        seen.add(f.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    const counts = await findingCountsByRule(db, { status: "open" });
    expect(seen.size).toBe(counts.reduce((n, c) => n + c.count, 0));
    expect(seen.size).toBeGreaterThan(0);
  });

  it("filters the list by rule and environment and keeps the count by rule consistent with it", async () => {
    const [top] = await findingCountsByRule(db, { status: "open", environment: "production" });
    expect(top).toBeDefined();
    if (!top) return;
    const page = await listFindings(db, { status: "open", environment: "production", rule: top.ruleId, limit: 500 });
    expect(page.items).toHaveLength(top.count);
    expect(page.items.every((f) => f.environment === "production" && f.ruleId === top.ruleId)).toBe(true);
    expect(top.ruleTitle).not.toBe(top.ruleId);
  });

  it("orders the counts by severity, then by count, and refuses a bad cursor or day as the API does", async () => {
    const counts = await findingCountsByRule(db, { status: "open" });
    const order = ["critical", "high", "medium", "low"];
    for (let i = 1; i < counts.length; i++) {
      const [a, b] = [counts[i - 1], counts[i]];
      if (!a || !b) continue;
      const d = order.indexOf(a.severity) - order.indexOf(b.severity);
      expect(d < 0 || (d === 0 && a.count >= b.count), `${a.ruleId} before ${b.ruleId}`).toBe(true);
    }
    await expect(listFindings(db, { cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(listFindings(db, { from: "27/11/2026" })).rejects.toMatchObject({ code: "VALIDATION" });
    const inNovember = await listFindings(db, { from: "2026-11-01", to: "2026-11-30", limit: 200 });
    expect(inNovember.items.length).toBeGreaterThan(0);
    expect(inNovember.items.every((f) => f.openedAt >= "2026-11-01" && f.openedAt < "2026-12-01")).toBe(true);
  });
});

describe("evidence chain and trace", () => {
  it("links a production deployment back to its PR and approvers, with gate checks", async () => {
    const [d] = await queryRows<{ id: string | number }>(
      db,
      sql`select d.id from deployments d join pull_requests p on p.merge_commit_sha = d.commit_sha
          where d.environment = 'production' order by d.deployed_at desc limit 1`,
    );
    const chain = await deploymentChain(db, Number(d?.id));
    expect(chain?.pullRequest).not.toBeNull();
    expect(chain?.approvers.length).toBeGreaterThan(0);
    expect(chain?.gates.length).toBeGreaterThan(0);
    expect(chain?.pipelineRun?.url).toMatch(/^https:\/\/github\.com\//);
  });

  it("names the pull request that merged the commit, as the evidence chain does, when another merged PR has it as its head", async () => {
    const [d] = await queryRows<{ id: string | number; commit_sha: string; pr_id: string | number; repository: string; number: number }>(
      db,
      sql`select d.id, d.commit_sha, p.id as pr_id, p.repository, p.number from deployments d join pull_requests p on p.merge_commit_sha = d.commit_sha
          where d.environment = 'production' order by d.deployed_at desc limit 1`,
    );
    await db.execute(sql`insert into pull_requests (repository, number, title, body, state, merged, head_sha, merge_commit_sha, source_updated_at)
      values (${d?.repository ?? ""}, 999998, 'Older branch PR with the same head', '', 'closed', true, ${d?.commit_sha ?? ""}, ${"f".repeat(40)}, now())`);
    // Writing the merging PR's row anew puts it behind the new one on disk, so "merged" alone would pick the wrong one.
    await db.execute(sql`with moved as (delete from pull_requests where id = ${d?.pr_id ?? 0} returning *) insert into pull_requests select * from moved`);
    try {
      const chain = await deploymentChain(db, Number(d?.id));
      expect(chain?.pullRequest?.number).toBe(Number(d?.number));
      const evidence = await evidenceChain(db, String(d?.id));
      expect(evidence.pullRequest?.number).toBe(Number(d?.number));
    } finally {
      await db.execute(sql`delete from pull_requests where number = 999998`);
    }
  });

  it("lists the same deployments for a reference as the API's trace, newest first", async () => {
    const [pr] = await queryRows<{ repository: string; number: number; merge_commit_sha: string; digest: string }>(
      db,
      sql`select p.repository, p.number, p.merge_commit_sha, d.digest from pull_requests p join deployments d on d.commit_sha = p.merge_commit_sha
          where p.merged and d.digest is not null order by d.deployed_at desc limit 1`,
    );
    const refs = [`${pr?.repository}#${pr?.number}`, pr?.digest ?? "", (pr?.merge_commit_sha ?? "").slice(0, 9)];
    for (const ref of refs) {
      const page = await traceRef(db, ref);
      const api = await apiTrace(db, ref);
      expect(page.hits.length, ref).toBeGreaterThan(0);
      expect(page.hits.map((h) => h.deploymentId), ref).toEqual(api.chains.map((c) => Number(c.deployment.id)));
      expect(page.matchedAs, ref).toEqual(api.matchedAs);
    }
    // A PR reaches at least the deployments of its merge commit.
    const byPr = await traceRef(db, refs[0] ?? "");
    expect(byPr.hits.length).toBeGreaterThanOrEqual(await count(sql`select count(*) as n from deployments where commit_sha = ${pr?.merge_commit_sha ?? ""}`));
    expect(await traceRef(db, "hello world")).toMatchObject({ recognised: false, hits: [] });
    expect(await traceRef(db, "acme/nothing#424242")).toMatchObject({ recognised: true, matchedAs: [], hits: [] });
    expect(classifyRef("sha256:" + "a".repeat(64))?.kind).toBe("digest");
    expect(classifyRef("9e3f1c2")?.kind).toBe("commit");
    expect(classifyRef("hello world")).toBeNull();
  });
});

describe("promotion, posture and incidents", () => {
  it("flags only services whose production digest never ran in staging", async () => {
    const m = await promotionView(db);
    expect(m.services.length).toBe(await count(sql`select count(distinct service) as n from deployments`));
    const skipped = m.services.filter((r) => r.passedStagingFirst === false);
    expect(skipped.length).toBeGreaterThan(0);
    for (const row of skipped) {
      const prod = row.stages.production;
      expect(await count(sql`select count(*) as n from deployments where environment = 'staging' and digest = ${prod?.digest ?? ""} and deployed_at < ${prod?.deployedAt ?? ""}`)).toBe(0);
    }
  });

  it("reports the share of production changes passing each gate and the exceptions by rule", async () => {
    const p = lastYear();
    const shares = await gateShares(db, p);
    const prod = await count(sql`select count(*) as n from deployments where environment = 'production' and deployed_at >= ${p.from}`);
    const judged = shares.find((s) => s.ruleId === "merge.independent-approval");
    expect((judged?.passed ?? 0) + (judged?.failed ?? 0) + (judged?.missing ?? 0)).toBe(prod);
    const exceptions = await exceptionsByRule(db, p);
    expect(exceptions.reduce((n, e) => n + e.opened, 0)).toBe(await count(sql`select count(*) as n from findings where opened_at >= ${p.from}`));
  });

  it("reads the pass rate and the gate shares from the evaluator's daily roll-ups, equal to counting every check result", async () => {
    const p = lastYear();
    const raw = await queryRows<{ day: string; passed: string | number; total: string | number }>(
      db,
      sql`select to_char((d.deployed_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, count(*) filter (where c.result = 'pass') as passed, count(*) as total
          from deployments d join check_results c on c.deployment_id = d.id join environments e on e.name = d.environment and e.is_production
          where d.deployed_at >= ${p.from} and d.deployed_at < ${p.to} group by 1`,
    );
    const byDay = new Map(raw.map((r) => [r.day, r]));
    const rate = await gatePassRateOverTime(db, p);
    expect(rate.filter((r) => r.checks > 0).length).toBe(raw.length);
    for (const r of rate) {
      const expected = byDay.get(r.day);
      expect(r.checks).toBe(Number(expected?.total ?? 0));
      if (expected) expect(r.passRate).toBe(Math.round((Number(expected.passed) / Number(expected.total)) * 1000) / 10);
    }
    const perRule = await queryRows<{ rule_id: string; passed: string | number; failed: string | number }>(
      db,
      sql`select c.rule_id, count(*) filter (where c.result = 'pass') as passed, count(*) filter (where c.result = 'fail') as failed
          from check_results c join deployments d on d.id = c.deployment_id join environments e on e.name = d.environment and e.is_production
          where d.deployed_at >= ${p.from} and d.deployed_at < ${p.to} group by 1`,
    );
    const shares = await gateShares(db, p);
    for (const r of perRule.filter((x) => shares.some((s) => s.ruleId === x.rule_id))) {
      expect(shares.find((s) => s.ruleId === r.rule_id)).toMatchObject({ passed: Number(r.passed), failed: Number(r.failed) });
    }
    // Rebuilt from scratch, the roll-ups are what the evaluator kept batch by batch.
    const kept = await queryRows(db, sql`select * from check_rollups_daily order by day, environment, rule_id`);
    await rebuildCheckRollups(db);
    expect(await queryRows(db, sql`select * from check_rollups_daily order by day, environment, rule_id`)).toEqual(kept);
  });

  it("lists incidents with how long each took to close", async () => {
    expect((await listIncidents(db, {})).items).toEqual([]);
    await db.insert(incidents).values({
      title: "Hand-patched checkout", status: "closed", environment: "production", owner: "maya", openedBy: "maya",
      openedAt: new Date("2026-11-01T10:00:00Z"), closedAt: new Date("2026-11-01T16:30:00Z"), capturedState: {},
    });
    const page = await listIncidents(db, { status: "closed" });
    expect(page.items.map((i) => [i.title, i.durationHours])).toEqual([["Hand-patched checkout", 6.5]]);
    const dora = await doraFigures(db, parsePeriod("2026-11-01", "2026-11-30"));
    expect(dora.timeToRestoreHours).toBe(6.5);
  });
});

describe("deployment verdict", () => {
  it("says how many checks failed and in which gates, failures listed first", () => {
    const g = (gate: string, result: string) => ({ gate, result });
    expect(chainVerdict([g("merge", "pass"), g("deployment", "fail"), g("deployment", "fail"), g("production-apply", "missing-evidence")])).toEqual({
      tone: "fail",
      text: "2 of 4 checks failed: deployment gate; 1 lack evidence",
    });
    expect(chainVerdict([g("merge", "pass"), g("production-apply", "missing-evidence")])).toEqual({ tone: "missing", text: "1 of 2 checks lack evidence: production-apply gate" });
    expect(chainVerdict([g("merge", "pass")])).toEqual({ tone: "pass", text: "All 1 checks passed" });
    expect(chainVerdict([]).tone).toBe("missing");
    expect(byResult([g("a", "pass"), g("b", "missing-evidence"), g("c", "fail")]).map((x) => x.gate)).toEqual(["c", "b", "a"]);
  });
});

describe("a period or a day Postgres cannot hold, in a page's URL", () => {
  it("falls back to the default period, as for any value that is not a day, and every chart's statement answers (year 0000 and 9999-12-31 answered 500)", async () => {
    const now = new Date("2026-11-27T12:00:00Z");
    const fallback = parsePeriod(null, null, now, 90);
    for (const [from, to] of [["0000-01-02", "0000-01-01"], ["0000-01-01", null], [null, "9999-12-31"], ["9999-10-03", "9999-12-31"], [null, "0001-01-05"]] as const) {
      const p = parsePeriod(from, to, now, 90);
      expect(p.from.getUTCFullYear(), `${from} ${to}`).toBeGreaterThanOrEqual(1);
      expect(p.to.getUTCFullYear(), `${from} ${to}`).toBeLessThanOrEqual(9999);
      expect(p.from.getTime(), `${from} ${to}: starts before it ends`).toBeLessThan(p.to.getTime());
      await gateShares(db, p);
      await exceptionsByRule(db, p, now);
      await deploymentsPerDay(db, p);
      await gatePassRateOverTime(db, p);
      await openFindingsOverTime(db, p);
    }
    expect(parsePeriod("0000-01-01", "9999-12-31", now, 90)).toEqual(fallback);
  });

  it("ignores a findings filter day outside years 0001-9999, as any other value that is not a day", async () => {
    const all = await findingCountsByRule(db, { status: "any" });
    expect(await findingCountsByRule(db, { status: "any", from: "0000-01-01", to: "0000-12-31" })).toEqual(all);
  });
});
