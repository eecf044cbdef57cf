import { sql } from "drizzle-orm";
import { bigint, bigserial, date, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { deployments } from "./deployments";

/**
 * The result of one gate check for one deployment (or image check for its build). Partitioned by
 * month of the deployment's time (migration 0025): `deployed_at` copies deployments.deployed_at
 * (a trigger on deployments moves the rows when a later delivery moves it earlier), so the
 * primary key and the evaluator's upsert target hold it, and readers join on both columns.
 */
export const checkResults = pgTable(
  "check_results",
  {
    id: bigserial({ mode: "number" }).notNull(),
    deploymentId: bigint({ mode: "number" }).notNull(),
    deployedAt: tstz().notNull(),
    ruleId: text().notNull(),
    result: text().notNull(),
    evidence: jsonb().$type<Record<string, unknown>>().notNull(),
    policyVersion: text().notNull(),
    evaluatedAt: tstz().notNull(),
  },
  (t) => [
    foreignKey({ name: "check_results_deployment_id_fk", columns: [t.deploymentId], foreignColumns: [deployments.id] }).onDelete(
      "cascade",
    ),
    primaryKey({ name: "check_results_pkey", columns: [t.id, t.deployedAt] }),
    uniqueIndex("check_results_deployment_id_rule_id_deployed_at_key").on(t.deploymentId, t.ruleId, t.deployedAt),
    index("check_results_rule_id_result_idx").on(t.ruleId, t.result),
  ],
);

/**
 * Each deployment's stored check results in one row (rule ids and results, two JSON arrays in rule
 * order), kept by the evaluator in the transaction that writes check_results. The population
 * export reads one row per change here instead of its ~21 check_results rows.
 */
export const checkSummaries = pgTable(
  "check_summaries",
  {
    deploymentId: bigint({ mode: "number" }).primaryKey(),
    rules: jsonb().$type<string[]>().notNull(),
    results: jsonb().$type<string[]>().notNull(),
  },
  (t) => [
    foreignKey({ name: "check_summaries_deployment_id_fk", columns: [t.deploymentId], foreignColumns: [deployments.id] }).onDelete("cascade"),
  ],
);

/**
 * Daily roll-up of the check results, per UTC day of deployment, environment and rule, kept by the
 * evaluator in the transaction that writes check_results (each touched day recounted). The
 * overview's pass rate and the posture page read these rows instead of ~21 results per change.
 */
export const checkRollupsDaily = pgTable(
  "check_rollups_daily",
  {
    day: date({ mode: "string" }).notNull(),
    environment: text().notNull(),
    ruleId: text().notNull(),
    passed: integer().notNull(),
    failed: integer().notNull(),
    missing: integer().notNull(),
  },
  (t) => [primaryKey({ name: "check_rollups_daily_pkey", columns: [t.day, t.environment, t.ruleId] })],
);

/**
 * Daily roll-up of the deployments, per UTC day and environment, kept by the evaluator beside
 * check_rollups_daily (each touched day recounted): the overview's deployments per day and the
 * DORA deployment frequency and lead time read these rows instead of the deployments.
 * `lead_seconds` holds, for each successful deployment with a known commit time, the seconds from
 * commit to deployment, so the period's median is exact. `failed` counts the day's deployments
 * that count as failed changes for DORA (lib/evaluation/rollups.ts: not successful, rolled back by
 * the next deployment of their service, or followed by a production incident before that next
 * deployment or within 7 days): recounted when a deployment or an incident arrives in the window.
 */
export const deploymentRollupsDaily = pgTable(
  "deployment_rollups_daily",
  {
    day: date({ mode: "string" }).notNull(),
    environment: text().notNull(),
    deployments: integer().notNull(),
    succeeded: integer().notNull(),
    leadSeconds: doublePrecision().array().notNull(),
    failed: integer().notNull().default(0),
  },
  (t) => [primaryKey({ name: "deployment_rollups_daily_pkey", columns: [t.day, t.environment] })],
);

/** A failed check or a drift: opened once per subject and rule, resolved when the subject is compliant again. */
export const findings = pgTable(
  "findings",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    ruleId: text().notNull(),
    severity: text().notNull(),
    status: text().notNull().default("open"),
    /** Stable identity of what the finding is about, e.g. `deployment:42` or `production/default/Deployment/checkout`. */
    subjectKey: text().notNull(),
    environment: text(),
    service: text(),
    workload: text(),
    deploymentId: bigint({ mode: "number" }),
    actor: text(),
    summary: text().notNull(),
    evidence: jsonb().$type<Record<string, unknown>>().notNull(),
    openedAt: tstz().notNull(),
    lastSeenAt: tstz().notNull(),
    resolvedAt: tstz(),
    resolution: text(),
    /** The policy version in force when the finding was opened (drift rules and gate checks alike). */
    policyVersion: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("findings_open_rule_subject_key").on(t.ruleId, t.subjectKey).where(sql`status = 'open'`),
    index("findings_status_rule_id_idx").on(t.status, t.ruleId),
    index("findings_environment_opened_at_idx").on(t.environment, t.openedAt),
    index("findings_deployment_id_idx").on(t.deploymentId),
    // The overview's open-findings chart: openings and resolutions of a period, and the open count.
    index("findings_opened_at_idx").on(t.openedAt),
    index("findings_resolved_at_idx").on(t.resolvedAt),
  ],
);

/** A time-boxed exception to a finding, with its justification and approver. */
export const waivers = pgTable(
  "waivers",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** The finding waived, by its stable identity (rule and subject), which survives a rebuild. */
    ruleId: text().notNull(),
    subjectKey: text().notNull(),
    justification: text().notNull(),
    approver: text().notNull(),
    createdBy: text().notNull(),
    expiresAt: tstz().notNull(),
    revokedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [
    // Subject first: activeWaivers looks waivers up by subject alone; rule and subject together use it too.
    index("waivers_subject_key_rule_id_idx").on(t.subjectKey, t.ruleId),
    index("waivers_expires_at_idx").on(t.expiresAt),
  ],
);

/**
 * A request for a waiver, made by one person and decided by another (two people): approving it
 * creates the waiver, named after the signed-in approver. Until then nothing is waived.
 */
export const waiverRequests = pgTable(
  "waiver_requests",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    ruleId: text().notNull(),
    subjectKey: text().notNull(),
    justification: text().notNull(),
    expiresAt: tstz().notNull(),
    requestedBy: text().notNull(),
    /** `requested`, `approved` or `withdrawn`. */
    status: text().notNull().default("requested"),
    decidedBy: text(),
    decidedAt: tstz(),
    waiverId: bigint({ mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("waiver_requests_subject_key_rule_id_idx").on(t.subjectKey, t.ruleId)],
);

export type CheckResult = typeof checkResults.$inferSelect;
export type Finding = typeof findings.$inferSelect;
export type Waiver = typeof waivers.$inferSelect;
export type WaiverRequest = typeof waiverRequests.$inferSelect;
