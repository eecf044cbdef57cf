import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";
import { EnvironmentCards } from "@/components/environment-cards";
import { ReplicaLag } from "@/components/replica-lag";
import { OverviewCharts } from "@/components/overview-charts";
import PageLoading from "@/components/page-loading";
import { OverviewPeriodPicker } from "@/components/overview-period-picker";
import { makeQueryClient } from "@/components/query-client";
import { WrongNow } from "@/components/wrong-now";
import Link from "next/link";
import { roleCan } from "@/lib/auth/permissions";
import { disabledTargets } from "@/lib/notifications/targets";
import { redirect } from "next/navigation";
import { currentSession, requireUser } from "@/lib/auth/current-user";
import { parsePeriod, periodParams } from "@/lib/dashboard/period";
import { getDb } from "@/lib/db";
import { getReadDb } from "@/lib/read-replica";
import { countOpenIncidents, observedEnvironments, openFindingTotals } from "@/lib/evidence/observed";
import { getOverviewQueryOptions } from "./_queries/options";

export const dynamic = "force-dynamic";
// The root layout's title template names child segments only, not this page of its own segment: the
// tab read "Overview" alone, where every other page reads "<page> · Custody".
export const metadata: Metadata = { title: { absolute: "Overview · Custody" } };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : null);

export default async function OverviewPage({ searchParams }: { searchParams: Search }) {
  // An external auditor's home is their engagement; the overview is not theirs to see.
  if ((await currentSession())?.user.role === "engagement-auditor") redirect("/engagements");
  const user = await requireUser("evidence:read", "/");
  const sp = await searchParams;
  const from = one(sp.from);
  const to = one(sp.to);
  return (
    <>
      <h1>Overview</h1>
      <p className="lead">What runs in production now and what is wrong with it, then how changes fared over a period. All times UTC.</p>
      {roleCan(user.role, "settings:manage") ? <DisabledTargets /> : null}
      <Suspense fallback={null}>
        <ReplicaLag />
      </Suspense>
      <Suspense fallback={<PageLoading />}>
        <NowPanels />
      </Suspense>
      <h2>Over a period</h2>
      <OverviewPeriodPicker used={periodParams(parsePeriod(from, to))} />
      <Suspense fallback={<PageLoading />}>
        <Charts from={from} to={to} />
      </Suspense>
    </>
  );
}

/** Admins are told here when a notification target failed for a day and was disabled. */
async function DisabledTargets() {
  const disabled = await disabledTargets(await getDb());
  if (disabled.length === 0) return null;
  return (
    <p role="alert" className="form-error">
      {disabled.length === 1 ? "A notification target was" : `${disabled.length} notification targets were`} disabled after failing for 24 hours:{" "}
      {disabled.map((d) => d.name).join(", ")}. Nobody is being told through {disabled.length === 1 ? "it" : "them"}: see{" "}
      <Link href="/settings/notifications">Settings → Notifications</Link>.
    </p>
  );
}

async function NowPanels() {
  const db = await getReadDb();
  const [envs, totals, incidents] = await Promise.all([observedEnvironments(db), openFindingTotals(db), countOpenIncidents(db)]);
  return (
    <>
      <WrongNow envs={envs} totals={totals} openIncidents={incidents} />
      <section aria-labelledby="envs-heading">
        <h2 id="envs-heading">Environments now</h2>
        <EnvironmentCards envs={envs} totals={totals} />
      </section>
    </>
  );
}

async function Charts({ from, to }: { from: string | null; to: string | null }) {
  const client = makeQueryClient();
  await client.prefetchQuery(getOverviewQueryOptions(from, to));
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <OverviewCharts />
    </HydrationBoundary>
  );
}
