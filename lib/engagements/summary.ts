import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { Engagement, EngagementSample, EngagementTest } from "@/db/schema";
import { frameworkNames, type Framework } from "../policy/controls";
import type { ChangeRow } from "../reports/population";
import { auditorsOf, type AuditorSeat } from "./auditors";
import { arrivalsSince, frozenRows, type Arrivals } from "./freeze";
import { requestThreads, type RequestThread } from "./requests";
import { currentSample, sampleHistory } from "./sample";
import { closeBlockers, testsOf } from "./tests";

export interface SampledChange {
  row: ChangeRow;
  test: Pick<EngagementTest, "result" | "note" | "markedBy" | "markedAt"> | null;
}

/** Everything the workspace, the API, the closing PDF and the package say of one engagement, computed once. */
export interface EngagementSummary {
  engagement: Engagement;
  frameworkName: string;
  populationSize: number;
  sample: EngagementSample | null;
  draws: EngagementSample[];
  sampled: SampledChange[];
  requests: RequestThread[];
  auditors: AuditorSeat[];
  arrivals: Arrivals;
  blockers: string[];
  generatedAt: string;
}

/** The summary as of the engagement's frozen tree size; only `arrivals` looks past it. */
export async function engagementSummary(db: Queryable, e: Engagement, now = new Date()): Promise<EngagementSummary> {
  const sample = await currentSample(db, e.id);
  const tests = await testsOf(db, e.id);
  const rows = sample ? await frozenRows(db, e.id, sample.changeIds) : [];
  const population = await queryCount(db, e.id);
  return {
    engagement: e,
    frameworkName: frameworkNames[e.framework as Framework] ?? e.framework,
    populationSize: population,
    sample,
    draws: await sampleHistory(db, e.id),
    sampled: rows.map((row) => {
      const t = tests.get(row.changeId);
      return { row, test: t ? { result: t.result, note: t.note, markedBy: t.markedBy, markedAt: t.markedAt } : null };
    }),
    requests: await requestThreads(db, e.id),
    auditors: await auditorsOf(db, e.id, now),
    arrivals: await arrivalsSince(db, e),
    blockers: e.state === "open" ? await closeBlockers(db, e) : [],
    generatedAt: now.toISOString(),
  };
}

async function queryCount(db: Queryable, engagementId: number): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from engagement_population where engagement_id = ${engagementId}`);
  return Number(row?.n ?? 0);
}

/** The summary as JSON for the API and the package: dates as ISO text, no attachment bytes. */
export function summaryJson(s: EngagementSummary): Record<string, unknown> {
  const e = s.engagement;
  return {
    id: e.id,
    name: e.name,
    framework: e.framework,
    frameworkName: s.frameworkName,
    period: { from: e.periodFrom.toISOString(), to: e.periodTo.toISOString() },
    scope: { environments: e.scopeEnvironments, services: e.services },
    frozen: { treeSize: e.treeSize, rootHash: e.rootHash, at: e.frozenAt.toISOString() },
    state: e.state,
    endsAt: e.endsAt.toISOString(),
    createdBy: e.createdBy,
    closed: e.closedAt ? { at: e.closedAt.toISOString(), by: e.closedBy, conclusion: e.conclusion } : null,
    populationSize: s.populationSize,
    sample: s.sample ? { drawNo: s.sample.drawNo, seed: s.sample.seed, requestedSize: s.sample.requestedSize, size: s.sample.size, method: s.sample.method, populationSize: s.sample.populationSize, drawnBy: s.sample.drawnBy, drawnAt: s.sample.drawnAt.toISOString(), changeIds: s.sample.changeIds } : null,
    draws: s.draws.map((d) => ({ drawNo: d.drawNo, seed: d.seed, size: d.size, reason: d.reason, drawnBy: d.drawnBy, drawnAt: d.drawnAt.toISOString() })),
    tests: s.sampled.map((c) => ({ changeId: c.row.changeId, result: c.test?.result ?? null, note: c.test?.note ?? "", markedBy: c.test?.markedBy ?? null, markedAt: c.test?.markedAt.toISOString() ?? null })),
    requests: s.requests.map((r) => ({
      id: r.id,
      changeId: r.changeId,
      title: r.title,
      body: r.body,
      status: r.status,
      raisedBy: r.raisedBy,
      raisedAt: r.createdAt.toISOString(),
      messages: r.messages.map((m) => ({ kind: m.kind, author: m.author, body: m.body, at: m.createdAt.toISOString(), attachments: m.attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, bytes: a.bytes, sha256: a.sha256 })) })),
    })),
    auditors: s.auditors,
    arrivedSince: s.arrivals,
    closeBlockers: s.blockers,
    generatedAt: s.generatedAt,
  };
}
