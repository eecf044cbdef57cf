import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { createLoader } from "nuqs/server";
import { Suspense } from "react";
import PageLoading from "@/components/page-loading";
import { findingParsers } from "@/components/finding-filters";
import { FindingsView } from "@/components/findings-view";
import { makeQueryClient } from "@/components/query-client";
import { requireUser } from "@/lib/auth/current-user";
import { filterOptions, type FindingFilters } from "@/lib/dashboard/findings";
import { getDb } from "@/lib/db";
import { getFindingCountsQueryOptions, getFindingsQueryOptions } from "../_queries/options";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Findings" };

const loadFilters = createLoader(findingParsers);

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("evidence:read", "/findings");
  const filters = loadFilters(await searchParams);
  return (
    <>
      <h1>Findings</h1>
      <p className="lead">Failed gate checks and drift, by rule, environment and service. Pick a rule to list its findings.</p>
      {/* The counts by rule and the long list stream in after the heading. */}
      <Suspense fallback={<PageLoading />}>
        <FindingsData filters={filters} />
      </Suspense>
    </>
  );
}

async function FindingsData({ filters }: { filters: FindingFilters }) {
  const client = makeQueryClient();
  const [options] = await Promise.all([
    filterOptions(await getDb()),
    client.prefetchQuery(getFindingCountsQueryOptions(filters)),
    client.prefetchInfiniteQuery(getFindingsQueryOptions(filters)),
  ]);
  return (
    <HydrationBoundary state={dehydrate(client)}>
      <FindingsView options={options} />
    </HydrationBoundary>
  );
}
