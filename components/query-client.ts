import { QueryClient } from "@tanstack/react-query";

/** Evidence changes only when events arrive: a minute of freshness avoids refetching what the server just sent. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { staleTime: 60_000, refetchOnWindowFocus: false } } });
}
