import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { EnvironmentCards } from "@/components/environment-cards";
import { OverviewCharts } from "@/components/overview-charts";
import { PeriodPicker } from "@/components/period-picker";
import { makeQueryClient } from "@/components/query-client";
import { requireUser } from "@/lib/auth/current-user";
import { parsePeriod, periodParams } from "@/lib/dashboard/period";
import { getDb } from "@/lib/db";
import { environmentsOverview } from "@/lib/evidence/environments";
import { getOverviewQueryOptions } from "./_queries/options";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : null);

export default async function OverviewPage({ searchParams }: { searchParams: Search }) {
  await requireUser("evidence:read", "/");
  const sp = await searchParams;
  const from = one(sp.from);
  const to = one(sp.to);
  const client = makeQueryClient();
  const [envs] = await Promise.all([environmentsOverview(await getDb()), client.prefetchQuery(getOverviewQueryOptions(from, to))]);
  return (
    <>
      <h1>Overview</h1>
      <p className="lead">Changes reaching each environment, how they fared against the gates, and what is still open. All times UTC.</p>
      <PeriodPicker defaults={periodParams(parsePeriod(from, to))} />
      <HydrationBoundary state={dehydrate(client)}>
        <OverviewCharts />
      </HydrationBoundary>
      <section aria-labelledby="envs-heading">
        <h2 id="envs-heading">Environments now</h2>
        <EnvironmentCards envs={envs} />
      </section>
    </>
  );
}
