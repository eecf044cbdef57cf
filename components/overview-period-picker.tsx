"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { parseAsString, useQueryStates } from "nuqs";
import { getOverviewQueryOptions } from "@/app/_queries/options";
import { PeriodPicker } from "./period-picker";

/**
 * The overview's period boxes. Its picker changes the URL without loading a new page, so the period
 * the figures cover comes back with the charts' answer: the boxes follow it (a period that was too
 * long is shown shortened, as the charts use it), not what was typed. It reads the charts' query
 * from the cache and never fetches it itself; until an answer for the new period comes, the boxes
 * keep what they hold.
 */
export function OverviewPeriodPicker({ used }: { used: { from: string; to: string } }) {
  const [{ from, to }] = useQueryStates({ from: parseAsString, to: parseAsString });
  const { data } = useQuery({ ...getOverviewQueryOptions(from, to), enabled: false, placeholderData: keepPreviousData });
  const shown = data?.period ?? used;
  // A new key starts the boxes again at the period now used.
  return <PeriodPicker key={`${shown.from}/${shown.to}`} used={{ from: shown.from, to: shown.to }} />;
}
