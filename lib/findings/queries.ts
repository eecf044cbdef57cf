import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { findings, type Finding } from "@/db/schema";
import { validation } from "../errors";
import { decodeCursor, encodeCursor, parseDay } from "../evidence/cursor";
import { isRuleId, ruleById } from "../policy/catalogue";
import { activeWaivers, type WaiverView } from "./waivers";

export const findingStatuses = ["open", "resolved"] as const;

export interface FindingFilter {
  status?: string;
  rule?: string;
  environment?: string;
  service?: string;
  /** Opened on or after this day / up to and including this day (`YYYY-MM-DD`, UTC). */
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export interface FindingView {
  id: number;
  ruleId: string;
  title: string;
  kind: string;
  severity: string;
  status: string;
  subjectKey: string;
  environment: string | null;
  service: string | null;
  workload: string | null;
  deploymentId: number | null;
  actor: string | null;
  summary: string;
  evidence: Record<string, unknown>;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  /** The policy version in force when it was (last) found; null for findings stored before it was recorded. */
  policyVersion: string | null;
  /** The waiver in force now, if any; a waived finding stays open and visible. */
  waiver: WaiverView | null;
}

export function findingView(f: Finding, waiver: WaiverView | null): FindingView {
  const rule = ruleById(f.ruleId);
  return {
    id: f.id, ruleId: f.ruleId, title: rule.title, kind: rule.kind, severity: f.severity, status: f.status, subjectKey: f.subjectKey,
    environment: f.environment, service: f.service, workload: f.workload, deploymentId: f.deploymentId, actor: f.actor, summary: f.summary,
    evidence: f.evidence, openedAt: f.openedAt.toISOString(), lastSeenAt: f.lastSeenAt.toISOString(), resolvedAt: f.resolvedAt?.toISOString() ?? null,
    resolution: f.resolution, policyVersion: f.policyVersion, waiver,
  };
}

/**
 * Drift and gate findings, newest first, with the waiver active now; keyset-paginated by id. The
 * API and the findings page both list through here, so a bad cursor or filter is a 400 for both.
 */
export async function listFindings(db: Queryable, f: FindingFilter, now = new Date()): Promise<{ items: FindingView[]; nextCursor: string | null }> {
  const limit = f.limit ?? 50;
  const where: SQL[] = [];
  if (f.status !== undefined) {
    if (!(findingStatuses as readonly string[]).includes(f.status)) throw validation(`status: must be one of ${findingStatuses.join(", ")}`);
    where.push(eq(findings.status, f.status));
  }
  if (f.rule !== undefined) {
    if (!isRuleId(f.rule)) throw validation(`rule: unknown rule id "${f.rule}"`);
    where.push(eq(findings.ruleId, f.rule));
  }
  if (f.environment) where.push(eq(findings.environment, f.environment));
  if (f.service) where.push(eq(findings.service, f.service));
  const from = f.from ? parseDay("from", f.from) : null;
  const to = f.to ? parseDay("to", f.to) : null;
  if (from) where.push(gte(findings.openedAt, from));
  if (to) where.push(lt(findings.openedAt, sql`${to.toISOString()}::timestamptz + interval '1 day'`));
  if (f.cursor) where.push(lt(findings.id, Number(decodeCursor(f.cursor, { id: "number" }).id)));
  const rows = await db.select().from(findings).where(and(...where)).orderBy(desc(findings.id)).limit(limit + 1);
  const page = rows.slice(0, limit);
  const waivers = await activeWaivers(db, page, now);
  const last = page.at(-1);
  return {
    items: page.map((r) => findingView(r, waivers.get(r.id) ?? null)),
    nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
  };
}
