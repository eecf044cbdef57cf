import type { Queryable } from "@/db/client";
import { config } from "../config";
import { ledgerHead } from "../ledger/ledger";
import { frameworkNames } from "../policy/controls";
import { loadPolicy, type Policy } from "../policy/settings";
import { changeEvidence, type ChangeEvidence } from "./change-evidence";
import { describeParams, periodInWords, periodLabel, type ReportParams } from "./params";
import { changeRowsById, type ChangeRow } from "./population";
import { exceptionRows, incidentColumns, incidentRows, waiverColumns, waiverRows, type ExceptionRow } from "./registers";
import { drawSample, sampleMethod } from "./sample";
import { populationCount, populationIds, scopeEnvironments } from "./scope";
import { controlSummaries, policyVersionsUsed, type ControlSummary } from "./summary";
import { provenanceSummary, type ProvenanceSummary } from "./provenance";

/** Names the software that produced an export; bump with the package version. */
export const generatorVersion = "custody 0.1.0 (reports 1)";
/** The PDF and JSON list at most this many exceptions, and this many per rule; the CSV register always has them all. */
export const exceptionsShown = 200;
export const exceptionsShownPerRule = 15;

export interface ReportModel {
  framework: ReportParams["framework"];
  frameworkName: string;
  /** The organisation the report is about (CUSTODY_ORGANISATION), null when not configured. */
  organisation: string | null;
  /** Who asked for the export (the signed-in user, the token or the CLI user). */
  preparedBy: string;
  parameters: Record<string, unknown>;
  period: string;
  /** `1 July 2026 – 30 September 2026`. */
  periodInWords: string;
  environments: string[];
  services: string[];
  generatedAt: string;
  generatorVersion: string;
  ledgerHead: { seq: number; hash: string };
  populationSize: number;
  controls: ControlSummary[];
  exceptions: { total: number; byRule: Record<string, number>; shown: ExceptionRow[] };
  incidents: { columns: readonly string[]; rows: string[][] };
  waivers: { columns: readonly string[]; rows: string[][] };
  sample: { requested: number; size: number; basis: string; seed: string; method: string; changeIds: string[]; changes: ChangeEvidence[] };
  policy: { inForce: Policy; versionsUsed: { version: string; checks: number }[] };
  /** Build provenance: share of the population with verified Sigstore provenance, and the exceptions. */
  provenance: ProvenanceSummary;
}

/** Rows of the population with these change ids, in change-id order. */
async function rowsOf(db: Queryable, p: ReportParams, changeIds: string[]): Promise<ChangeRow[]> {
  const out: ChangeRow[] = [];
  for (let i = 0; i < changeIds.length; i += 500) out.push(...(await changeRowsById(db, p, changeIds.slice(i, i + 500))));
  return out.sort((a, b) => (a.changeId < b.changeId ? -1 : a.changeId > b.changeId ? 1 : 0));
}

/** Everything the PDF, the JSON report and the package's summary say, computed once. */
export async function buildReport(db: Queryable, p: ReportParams, now: Date = new Date(), preparedBy = "unknown"): Promise<ReportModel> {
  const head = await ledgerHead(db);
  const policy = loadPolicy(config().policyFile);
  const [count, ids, environments] = [await populationCount(db, p), await populationIds(db, p), await scopeEnvironments(db, p)];
  const byRule = new Map<string, number>();
  const shown: ExceptionRow[] = [];
  let total = 0;
  for await (const e of exceptionRows(db, p)) {
    total += 1;
    const seen = byRule.get(e.ruleId) ?? 0;
    byRule.set(e.ruleId, seen + 1);
    if (shown.length < exceptionsShown && seen < exceptionsShownPerRule) shown.push(e);
  }
  const sampleIds = drawSample(ids, p.sampleSize, p.seed);
  const sampleRows = await rowsOf(db, p, sampleIds);
  const changes: ChangeEvidence[] = [];
  for (const row of sampleRows) changes.push(await changeEvidence(db, row));
  return {
    framework: p.framework,
    frameworkName: frameworkNames[p.framework],
    organisation: config().organisation ?? null,
    preparedBy,
    parameters: describeParams(p),
    period: periodLabel(p),
    periodInWords: periodInWords(p),
    environments,
    services: p.services,
    generatedAt: now.toISOString(),
    generatorVersion,
    ledgerHead: head,
    populationSize: count,
    controls: await controlSummaries(db, p, byRule),
    exceptions: { total, byRule: Object.fromEntries(byRule), shown },
    incidents: { columns: incidentColumns, rows: await incidentRows(db, p) },
    waivers: { columns: waiverColumns, rows: await waiverRows(db, p) },
    sample: { requested: p.sampleSize, size: sampleIds.length, basis: p.sampleBasis, seed: p.seed, method: sampleMethod, changeIds: sampleIds, changes },
    policy: { inForce: policy, versionsUsed: await policyVersionsUsed(db, p) },
    provenance: await provenanceSummary(db, p, policy, exceptionsShown),
  };
}
