"use server";

import { requireUser } from "@/lib/auth/current-user";
import { getReadDb } from "@/lib/read-replica";
import { doraFigures } from "@/lib/dashboard/dora";
import { dayOf, findingCountsByRule, type FindingFilters } from "@/lib/dashboard/findings";
import { deploymentsPerDay, gatePassRateOverTime, openFindingsOverTime } from "@/lib/dashboard/overview";
import { parsePeriod, periodNotes, periodParams } from "@/lib/dashboard/period";
import { listFindings } from "@/lib/findings/queries";

/** The overview's aggregates for one period (days as `YYYY-MM-DD`, `to` inclusive). */
export async function fetchOverview(from: string | null, to: string | null) {
  await requireUser("evidence:read", "/");
  const db = await getReadDb();
  const p = parsePeriod(from, to);
  const [deployments, passRate, openFindings, dora] = await Promise.all([
    deploymentsPerDay(db, p),
    gatePassRateOverTime(db, p),
    openFindingsOverTime(db, p),
    doraFigures(db, p),
  ]);
  // The period the figures cover, and what to tell the reader when it is not the one asked for: the
  // picker changes the URL without a new page, so only this answer knows.
  return { period: { ...periodParams(p), notes: periodNotes(from, to, p) }, deployments, passRate, openFindings, dora };
}

export async function fetchFindings(filters: FindingFilters, cursor: string | null) {
  await requireUser("evidence:read", "/findings");
  // The API's own list: same order, same cursor, same 400 for a bad cursor or filter; but a day that
  // is none is left out, as the counts beside it leave it out (the list said it "could not be loaded").
  return listFindings(await getReadDb(), {
    status: filters.status === "any" || !filters.status ? undefined : filters.status,
    rule: filters.rule ?? undefined,
    environment: filters.environment ?? undefined,
    service: filters.service ?? undefined,
    from: dayOf(filters.from) ?? undefined,
    to: dayOf(filters.to) ?? undefined,
    cursor: cursor ?? undefined,
    limit: 25,
  });
}

export async function fetchFindingCounts(filters: FindingFilters) {
  await requireUser("evidence:read", "/findings");
  return findingCountsByRule(await getReadDb(), filters);
}
