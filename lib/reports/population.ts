import { sql, type SQL } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRows, transactionWithoutJit, type Queryable } from "@/db/client";
import { type ReportParams } from "./params";
import { populationWhere, scopeEnvironments } from "./scope";

type Scope = Pick<ReportParams, "from" | "to" | "environments" | "services">;

interface Approval {
  reviewer: string;
  at: string;
  /** `kind:id` of the review's source, e.g. `github-webhook:72d3…` or `token:ci`. */
  source?: string;
}
export interface CheckCell {
  rule: string;
  result: string;
}
interface FindingCell {
  id: number;
  rule: string;
  status: string;
}

interface PopulationSqlRow {
  id: string | number;
  external_id: string;
  service: string;
  environment: string;
  change_type: string;
  description: string | null;
  actor: string | null;
  actor_type: string;
  /** ISO 8601 UTC text, formatted by Postgres (isoUtc): cheaper than a Date per cell. */
  deployed_at: string;
  commit_sha: string | null;
  digest: string | null;
  image_ref: string;
  pipeline_run_id: string | null;
  pr_repository: string | null;
  pr_number: number | null;
  pr_url: string | null;
  pr_author: string | null;
  pr_title: string | null;
  commit_author: string | null;
  run_url: string | null;
  ci_checks: string | null;
  staging_id: string | null;
  staging_environment: string | null;
  staging_at: string | null;
  /** In submission order, `at` as ISO 8601 UTC text. */
  approvals: Approval[] | null;
  /**
   * Rule ids and results of the stored checks as JSON text, in the same order, from the one-row
   * check_summaries (not ~21 check_results rows a change); most changes share the same text,
   * parsed once (CheckCache).
   */
  check_rules: string | null;
  check_results: string | null;
  findings: FindingCell[] | null;
  /** `kind:id` of each link's source (lib/evidence/source.ts); null when the link is missing. */
  deployment_source: string;
  pr_source: string | null;
  commit_source: string | null;
  run_source: string | null;
}

/** One production change as the population CSV and the PDF show it. */
export interface ChangeRow {
  deploymentId: number;
  changeId: string;
  service: string;
  environment: string;
  changeType: string;
  description: string;
  pullRequest: string;
  pullRequestUrl: string;
  authors: string;
  approvers: string;
  ciRunId: string;
  ciRunUrl: string;
  ciChecks: string;
  gateResults: string;
  deployer: string;
  deployerType: string;
  deployedAt: string;
  commitSha: string;
  imageDigest: string;
  imageRef: string;
  stagingDeployment: string;
  stagingDeployedAt: string;
  emergencyApproval: string;
  exceptions: string;
  /** Where each link came from: `deployment=token:ci; pull_request=github-webhook:<delivery>; ...`. */
  evidenceSources: string;
  /** Each stored check's rule and result, by rule id (shared between rows: never mutate). */
  checks: readonly CheckCell[];
}

/** A link's source as `kind:id` (null when the link is missing). */
const src = (alias: SQL): SQL => sql`(${alias}.source_kind || ':' || ${alias}.source_id)`;

/** A timestamp as ISO 8601 UTC text with milliseconds, as Date.toISOString writes it (years 0–9999). */
const isoUtc = (column: SQL): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Approvals come in submission order with ISO 8601 UTC times, so the first one at or before the deployment is the earliest. */
function emergencyApproval(row: PopulationSqlRow, approvals: readonly Approval[]): string {
  if (row.change_type !== "emergency") return "";
  const before = approvals.find((a) => a.at <= row.deployed_at);
  if (before) return `approved before deployment by ${before.reviewer} at ${before.at}`;
  const retro = approvals.find((a) => a.at > row.deployed_at);
  return retro ? `retro-approved by ${retro.reviewer} at ${retro.at}` : "no retrospective approval";
}

/** A set of check results with what the row shows of it, worked out once for every change that has the same set. */
interface CheckSet {
  cells: readonly CheckCell[];
  failed: readonly CheckCell[];
  gateResults: string;
  /** The failed checks as the exceptions column lists them. */
  failedText: string;
}

/** Check sets by their JSON texts (rules, then results); they are shared, so never mutate them. */
type CheckCache = Map<string, Map<string, CheckSet>>;

const noChecks: CheckSet = { cells: [], failed: [], gateResults: "", failedText: "" };

function checkSet(row: PopulationSqlRow, cache: CheckCache): CheckSet {
  if (row.check_rules === null) return noChecks;
  const resultsText = row.check_results ?? "[]";
  let byResults = cache.get(row.check_rules);
  if (!byResults) cache.set(row.check_rules, (byResults = new Map()));
  let set = byResults.get(resultsText);
  if (!set) {
    const results = JSON.parse(resultsText) as string[];
    const rules = JSON.parse(row.check_rules) as string[];
    const cells = rules.map((rule, i) => ({ rule, result: results[i] ?? "" })).sort((a, b) => a.rule.localeCompare(b.rule));
    const failed = cells.filter((c) => c.result !== "pass");
    set = {
      cells,
      failed,
      gateResults: cells.map((c) => `${c.rule}: ${c.result}`).join("; "),
      failedText: failed.map((c) => `${c.rule} (${c.result})`).join("; "),
    };
    byResults.set(resultsText, set);
  }
  return set;
}

/** The PR author, then the commit author if it is someone else; "" when neither is known. */
function authorsOf(prAuthor: string | null, commitAuthor: string | null): string {
  if (!prAuthor) return commitAuthor ?? "";
  return commitAuthor && commitAuthor !== prAuthor ? `${prAuthor}; ${commitAuthor}` : prAuthor;
}

function approversOf(approvals: readonly Approval[], prAuthor: string | null, commitAuthor: string | null): string {
  if (approvals.length === 0) return "";
  const pr = prAuthor?.toLowerCase();
  const commit = commitAuthor?.toLowerCase();
  let out = "";
  for (const a of approvals) {
    const reviewer = a.reviewer.toLowerCase();
    const role = reviewer === pr || reviewer === commit ? "author: self-approval" : "independent reviewer";
    out += `${out ? "; " : ""}${a.reviewer} (${role}, approved ${a.at})`;
  }
  return out;
}

/**
 * The approvers' names alone, comma-separated ("" when none), from a population row's approvers
 * cell ("name (role, approved at); name (...)"): the engagement page and its summary PDF show these.
 */
export function approverNames(approvers: string): string {
  return approvers ? approvers.split("; ").map((a) => a.split(" (")[0]).join(", ") : "";
}

function sourcesOf(row: PopulationSqlRow, approvals: readonly Approval[]): string {
  const parts = [`deployment=${row.deployment_source}`];
  if (row.pr_source) parts.push(`pull_request=${row.pr_source}`);
  if (row.commit_source) parts.push(`commit=${row.commit_source}`);
  if (row.run_source) parts.push(`pipeline_run=${row.run_source}`);
  for (const a of approvals) if (a.source) parts.push(`review(${a.reviewer})=${a.source}`);
  return parts.join("; ");
}

/** The failed checks, then the findings on the change for rules whose check did not fail. */
function exceptionsOf(checks: CheckSet, findings: readonly FindingCell[] | null): string {
  if (!findings || findings.length === 0) return checks.failedText;
  let out = checks.failedText;
  for (const f of findings) {
    if (checks.failed.some((c) => c.rule === f.rule)) continue;
    out += `${out ? "; " : ""}${f.rule} (finding #${f.id}, ${f.status})`;
  }
  return out;
}

export function toChangeRow(row: PopulationSqlRow, cache: CheckCache = new Map()): ChangeRow {
  const approvals = row.approvals ?? [];
  const checks = checkSet(row, cache);
  return {
    deploymentId: Number(row.id),
    changeId: row.external_id,
    service: row.service,
    environment: row.environment,
    changeType: row.change_type,
    description: row.description ?? row.pr_title ?? "",
    pullRequest: row.pr_repository && row.pr_number !== null ? `${row.pr_repository}#${row.pr_number}` : "",
    pullRequestUrl: row.pr_url ?? "",
    authors: authorsOf(row.pr_author, row.commit_author),
    approvers: approversOf(approvals, row.pr_author, row.commit_author),
    ciRunId: row.pipeline_run_id ?? "",
    ciRunUrl: row.run_url ?? "",
    ciChecks: row.ci_checks ?? "",
    gateResults: checks.gateResults,
    deployer: row.actor ?? "",
    deployerType: row.actor_type === "human" ? "person" : "pipeline",
    deployedAt: row.deployed_at,
    commitSha: row.commit_sha ?? "",
    imageDigest: row.digest ?? "",
    imageRef: row.image_ref,
    stagingDeployment: row.staging_id ? `${row.staging_id} (${row.staging_environment ?? ""})` : "",
    stagingDeployedAt: row.staging_at ?? "",
    emergencyApproval: emergencyApproval(row, approvals),
    exceptions: exceptionsOf(checks, row.findings),
    evidenceSources: sourcesOf(row, approvals),
    checks: checks.cells,
  };
}

export const populationColumns: ReadonlyArray<readonly [keyof ChangeRow, string]> = [
  ["changeId", "change_id"],
  ["service", "service"],
  ["environment", "environment"],
  ["changeType", "change_type"],
  ["description", "description"],
  ["pullRequest", "pull_request"],
  ["pullRequestUrl", "pull_request_url"],
  ["authors", "authors"],
  ["approvers", "approvers"],
  ["ciRunId", "ci_run_id"],
  ["ciRunUrl", "ci_run_url"],
  ["ciChecks", "ci_checks"],
  ["gateResults", "gate_results"],
  ["deployer", "deployer"],
  ["deployerType", "deployer_type"],
  ["deployedAt", "deployed_at"],
  ["commitSha", "commit_sha"],
  ["imageDigest", "image_digest"],
  ["imageRef", "image_ref"],
  ["stagingDeployment", "staging_deployment"],
  ["stagingDeployedAt", "staging_deployed_at"],
  ["emergencyApproval", "emergency_approval"],
  ["exceptions", "exceptions"],
  ["evidenceSources", "evidence_sources"],
];

export interface PageCursor {
  cursorAt: string;
  id: number;
}

/** Rows after the cursor; the plain `>=` lets the (environment, deployed_at) index bound the scan, the row comparison is exact. */
const after = (cursor: PageCursor | null): SQL =>
  cursor ? sql`and d.deployed_at >= ${cursor.cursorAt}::timestamptz and (d.deployed_at, d.id) > (${cursor.cursorAt}::timestamptz, ${cursor.id})` : sql``;

/**
 * One page of population ids in (deployed_at, id) order after `cursor`. Kept apart from the
 * per-change look-ups so those run for this page's rows only, not for every row the scan passes.
 */
export async function populationIdPage(db: Queryable, s: Scope, cursor: PageCursor | null, limit: number): Promise<PageCursor[]> {
  const rows = await queryRows<{ id: string | number; cursor_at: string }>(
    db,
    sql`select d.id, d.deployed_at::text as cursor_at from deployments d where ${populationWhere(s)} ${after(cursor)} order by d.deployed_at, d.id limit ${limit}`,
  );
  return rows.map((r) => ({ id: Number(r.id), cursorAt: r.cursor_at }));
}

/**
 * The full rows of the changes `filter` selects (on alias d), in (deployed_at, id) order. The
 * changes are picked first (`limit` of them), so the look-ups of their chain run for those rows
 * only, whatever plan the filter gets (several environments cannot come in order from one index).
 * The pull request is the one that merged the commit, else one whose head it is (merged first): two
 * index probes, the second only when the first finds none.
 */
export async function changeRows(db: Queryable, filter: SQL, limit?: number): Promise<ChangeRow[]> {
  // JIT off: the planner prices a page's look-ups above jit_above_cost, and compiling took ~130 ms a page.
  const rows = await transactionWithoutJit(db, (tx) =>
    queryRows<PopulationSqlRow>(
      tx,
      sql`with d as materialized (
          select d.id, d.external_id, d.service, d.environment, d.change_type, d.description, d.actor, d.actor_type, d.deployed_at,
            d.commit_sha, d.digest, d.image_ref, d.pipeline_run_id, d.pipeline_provider, d.source_kind, d.source_id
          from deployments d where ${filter}
          order by d.deployed_at, d.id
          ${limit === undefined ? sql`` : sql`limit ${limit}`})
        select d.id, d.external_id, d.service, d.environment, d.change_type, d.description, d.actor, d.actor_type, ${isoUtc(sql`d.deployed_at`)} as deployed_at,
          d.commit_sha, d.digest, d.image_ref, d.pipeline_run_id, ${src(sql`d`)} as deployment_source,
          ${src(sql`pr`)} as pr_source, ${src(sql`c`)} as commit_source, ${src(sql`run`)} as run_source,
          pr.repository as pr_repository, pr.number as pr_number, pr.url as pr_url, pr.author as pr_author, pr.title as pr_title,
          c.author_login as commit_author, run.url as run_url,
          (select string_agg(k.name || ': ' || coalesce(k.conclusion, k.status), '; ' order by k.name) from check_runs k where k.head_sha = d.commit_sha) as ci_checks,
          st.external_id as staging_id, st.environment as staging_environment, ${isoUtc(sql`st.deployed_at`)} as staging_at,
          (select json_agg(json_build_object('reviewer', r.reviewer, 'at', ${isoUtc(sql`r.submitted_at`)}, 'source', ${src(sql`r`)}) order by r.submitted_at) from reviews r
            where r.repository = pr.repository and r.pull_number = pr.number and lower(r.state) = 'approved') as approvals,
          chk.check_rules, chk.check_results,
          (select json_agg(json_build_object('id', f.id, 'rule', f.rule_id, 'status', f.status) order by f.id) from findings f where f.deployment_id = d.id) as findings
        from d
        left join lateral (
          (select p.repository, p.number, p.url, p.author, p.title, p.source_kind, p.source_id from pull_requests p where p.merge_commit_sha = d.commit_sha
            order by p.merged desc, p.id limit 1)
          union all
          (select p.repository, p.number, p.url, p.author, p.title, p.source_kind, p.source_id from pull_requests p where p.head_sha = d.commit_sha and p.merge_commit_sha is distinct from d.commit_sha
            order by p.merged desc, p.id limit 1)
          limit 1) pr on true
        left join commits c on c.sha = d.commit_sha
        left join lateral (select r.url, r.source_kind, r.source_id from pipeline_runs r where r.run_id = d.pipeline_run_id
          and (d.pipeline_provider is null or r.provider = d.pipeline_provider) order by r.attempt desc limit 1) run on true
        left join lateral (select s.external_id, s.environment, s.deployed_at from deployments s
          where d.digest is not null and s.digest = d.digest and s.status = 'success' and s.deployed_at <= d.deployed_at
            and s.environment = any(array(select name from environments where not is_production))
          order by s.deployed_at desc, s.id desc limit 1) st on true
        left join lateral (select cs.rules::text as check_rules, cs.results::text as check_results
          from check_summaries cs where cs.deployment_id = d.id) chk on true
        order by d.deployed_at, d.id`,
    ),
  );
  const cache: CheckCache = new Map();
  return rows.map((row) => toChangeRow(row, cache));
}

const idIn = (column: SQL, ids: readonly (string | number)[]): SQL =>
  sql`${column} in (${sql.join(
    ids.map((i) => sql`${i}`),
    sql`, `,
  )})`;

/** The population's rows for these change ids (e.g. a sample). */
export async function changeRowsById(db: Queryable, s: Scope, changeIds: readonly string[]): Promise<ChangeRow[]> {
  if (changeIds.length === 0) return [];
  return changeRows(db, sql`${populationWhere(s)} and ${idIn(sql`d.external_id`, changeIds)}`);
}

/** Pages of population ids; the in-scope environments are resolved once, so the scan can use an index. */
export async function* populationIdPages(db: Queryable, s: Scope, pageSize = 1000): AsyncGenerator<PageCursor[]> {
  const scope = { ...s, environments: await scopeEnvironments(db, s) };
  if (scope.environments.length === 0) return;
  let cursor: PageCursor | null = null;
  for (;;) {
    const page = await populationIdPage(db, scope, cursor, pageSize);
    if (page.length > 0) yield page;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    cursor = last;
  }
}

/**
 * Every change of the population, a page at a time: memory stays bounded by a few pages. The pages'
 * ids come from a cheap keyset walk on (deployed_at, id); their rows are fetched up to `inFlight`
 * pages ahead, each on its own connection, so the database works on the next pages while this one
 * is written out. Inside a transaction (one connection) pages are fetched one after the other.
 */
export async function* populationPages(db: Queryable, s: Scope, pageSize = 1000, inFlight = 2): AsyncGenerator<ChangeRow[]> {
  const ahead = db instanceof PgTransaction ? 0 : inFlight;
  const pending: Promise<ChangeRow[]>[] = [];
  for await (const ids of populationIdPages(db, s, pageSize)) {
    const rows = changeRows(db, sql`d.id = any(${sql.param(ids.map((i) => i.id))}::bigint[])`);
    // A failed page is reported when it is awaited, not as an unhandled rejection meanwhile.
    rows.catch(() => undefined);
    pending.push(rows);
    const oldest = pending.length > ahead ? pending.shift() : undefined;
    if (oldest) yield await oldest;
  }
  for (const rows of pending) yield await rows;
}

/** Every change of the population, one at a time (see populationPages). */
export async function* populationRows(db: Queryable, s: Scope, pageSize = 1000, inFlight = 2): AsyncGenerator<ChangeRow> {
  for await (const page of populationPages(db, s, pageSize, inFlight)) yield* page;
}
