import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { FindingFilters } from "@/lib/dashboard/findings";
import { fetchFindingCounts, fetchFindings, fetchOverview } from "./actions";

/**
 * One factory per resource, used by the server prefetch and by the client hook alike, so both
 * agree on the key. The query functions are server actions: the page's session is the caller.
 */
export const getOverviewQueryOptions = (from: string | null, to: string | null) =>
  queryOptions({ queryKey: ["overview", { from, to }], queryFn: () => fetchOverview(from, to) });

export const getFindingCountsQueryOptions = (filters: FindingFilters) =>
  queryOptions({ queryKey: ["finding-counts", filters], queryFn: () => fetchFindingCounts(filters) });

export const getFindingsQueryOptions = (filters: FindingFilters) =>
  infiniteQueryOptions({
    queryKey: ["findings", filters],
    queryFn: ({ pageParam }) => fetchFindings(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
