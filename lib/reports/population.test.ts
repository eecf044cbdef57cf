import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { type createTestDatabase } from "@/db/testing";
import { guardCell } from "../csv";
import { csvBuffer, csvTable } from "./csv";
import { parseReportParams } from "./params";
import { approverNames, populationColumns } from "./population";
import { demoPeriod } from "./test-support";
import { demoDatabase } from "@/lib/testing/demo-database";

let handle: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  handle = await demoDatabase("30-days");
}, 180_000);
afterAll(async () => handle?.close());

const params = (extra: Record<string, string> = {}) => parseReportParams("soc2", { ...demoPeriod, format: "csv", ...extra });
type CsvRow = Record<string, string | undefined>;
const parseCsv = (data: Buffer) => parse(data, { columns: true, bom: true }) as CsvRow[];

describe("population CSV", () => {
  it("lists every successful production deployment of the period, once, with its chain", async () => {
    const { data, stats } = await csvBuffer(csvTable(handle.db, params(), "population"));
    const rows = parseCsv(data);
    const expected = await queryRows<{ external_id: string; digest: string | null; commit_sha: string | null; actor_type: string }>(
      handle.db,
      sql`select external_id, digest, commit_sha, actor_type from deployments
          where environment = 'production' and status = 'success' and deployed_at >= '2026-10-28T00:00:00Z' and deployed_at < '2026-11-28T00:00:00Z'`,
    );
    expect(expected.length).toBeGreaterThan(20);
    expect(stats.rows).toBe(expected.length);
    expect(Object.keys(rows[0] ?? {})).toEqual(populationColumns.map(([, h]) => h));
    expect(new Set(rows.map((r) => r.change_id))).toEqual(new Set(expected.map((e) => e.external_id)));
    const byId = new Map(expected.map((e) => [e.external_id, e]));
    for (const r of rows) {
      const e = byId.get(r.change_id ?? "");
      expect(r.environment).toBe("production");
      expect(r.image_digest).toBe(e?.digest ?? "");
      expect(r.commit_sha).toBe(e?.commit_sha ?? "");
      expect(r.deployer_type).toBe(e?.actor_type === "human" ? "person" : "pipeline");
      expect(r.deployed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    // Most demo changes went through a reviewed PR, CI and staging first.
    const linked = rows.filter((r) => r.pull_request && r.approvers && r.ci_run_id && r.staging_deployment);
    expect(linked.length).toBeGreaterThan(rows.length / 2);
    const selfApproved = rows.filter((r) => (r.approvers ?? "").includes("self-approval"));
    expect(selfApproved.length).toBeGreaterThan(0);
    // Every row names the source of each link it has: here the CLI that loaded the history.
    for (const r of rows) expect(r.evidence_sources).toMatch(/^deployment=cli:cli(; |$)/);
    for (const r of linked) expect(r.evidence_sources).toMatch(/pull_request=cli:cli.*review\([^)]+\)=cli:cli/);
  });

  it("pages through the population with the same rows whatever the page size", async () => {
    const small = await csvBuffer({ ...csvTable(handle.db, params(), "population") });
    const { populationRows } = await import("./population");
    const ids: string[] = [];
    for await (const r of populationRows(handle.db, params(), 7)) ids.push(r.changeId);
    expect(ids).toEqual(parseCsv(small.data).map((r) => r.change_id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("pages several environments in deployment order, each change once with the same chain as a one-page read", async () => {
    const { changeRows, populationRows } = await import("./population");
    const both = params({ environment: "staging,production" });
    const paged = [];
    for await (const r of populationRows(handle.db, both, 5, 3)) paged.push(r);
    const expected = await queryRows<{ external_id: string }>(
      handle.db,
      sql`select external_id from deployments where environment in ('staging', 'production') and status = 'success'
          and deployed_at >= '2026-10-28T00:00:00Z' and deployed_at < '2026-11-28T00:00:00Z' order by deployed_at, id`,
    );
    expect(new Set(paged.map((r) => r.environment))).toEqual(new Set(["staging", "production"]));
    expect(paged.map((r) => r.changeId)).toEqual(expected.map((e) => e.external_id));
    const whole = await changeRows(handle.db, sql`d.environment in ('staging', 'production') and d.status = 'success'
      and d.deployed_at >= '2026-10-28T00:00:00Z' and d.deployed_at < '2026-11-28T00:00:00Z'`);
    expect(paged).toEqual(whole);
  });

  it("filters by service and by environment", async () => {
    const [svc] = await queryRows<{ service: string }>(handle.db, sql`select service from deployments where environment = 'production' group by service order by count(*) desc limit 1`);
    const service = svc?.service ?? "";
    const rows = parseCsv((await csvBuffer(csvTable(handle.db, params({ service }), "population"))).data);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.service === service)).toBe(true);
    const staging = parseCsv((await csvBuffer(csvTable(handle.db, params({ environment: "staging" }), "population"))).data);
    expect(staging.length).toBeGreaterThan(0);
    expect(staging.every((r) => r.environment === "staging")).toBe(true);
  });

  it("quotes cells a spreadsheet would run as a formula", () => {
    expect(guardCell("=HYPERLINK(\"http://x\")")).toBe("'=HYPERLINK(\"http://x\")");
    expect(guardCell("+1")).toBe("'+1");
    expect(guardCell("-2")).toBe("'-2");
    expect(guardCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(guardCell("checkout")).toBe("checkout");
  });

  it("exports the exceptions register with rule titles and the framework's controls", async () => {
    const rows = parseCsv((await csvBuffer(csvTable(handle.db, params(), "exceptions"))).data);
    const [open] = await queryRows<{ n: string | number }>(handle.db, sql`select count(*) as n from findings`);
    if (Number(open?.n ?? 0) === 0) return;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.rule_title).not.toBe("");
      expect(r.controls).not.toMatch(/\b\d\.\d+ /);
    }
  });

  it("names the pull request the commit was merged by, even when an open pull request has that commit as its head", async () => {
    const before = parseCsv((await csvBuffer(csvTable(handle.db, params(), "population"))).data).find((r) => r.pull_request && r.commit_sha);
    expect(before).toBeDefined();
    const [repository] = (before?.pull_request ?? "").split("#");
    await handle.db.execute(sql`insert into pull_requests (repository, number, title, body, state, merged, head_sha, source_updated_at)
      values (${repository}, 999999, 'Open PR from the same branch', '', 'open', false, ${before?.commit_sha}, now())`);
    try {
      const after = parseCsv((await csvBuffer(csvTable(handle.db, params(), "population"))).data).find((r) => r.change_id === before?.change_id);
      expect(after?.pull_request).toBe(before?.pull_request);
    } finally {
      await handle.db.execute(sql`delete from pull_requests where number = 999999`);
    }
  });
});

describe("approverNames (the engagement page and its summary PDF)", () => {
  it("names every approver of a change, not only the first", () => {
    const cell = "dave-r (independent reviewer, approved 2026-10-01T13:00:00.000Z); frank-o (independent reviewer, approved 2026-10-01T13:05:00.000Z)";
    expect(approverNames(cell)).toBe("dave-r, frank-o");
    expect(approverNames("bob-k (author: self-approval, approved 2026-10-06T15:00:00.000Z)")).toBe("bob-k");
    expect(approverNames("")).toBe("");
  });
});
