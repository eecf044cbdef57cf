"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { getFindingCountsQueryOptions, getFindingsQueryOptions } from "@/app/_queries/options";
import type { FilterOptions } from "@/lib/dashboard/findings";
import { dayFilterNote } from "@/lib/dashboard/period";
import { DayInput } from "./day-input";
import { PeriodNotes } from "./period-notes";
import { findingParsers } from "./finding-filters";
import { Status } from "./status";
import { Time } from "./time";

type Row = { id: number; environment: string | null; service: string | null; workload: string | null; openedAt: string };

/** Findings one event opened together (same workload, same instant) share a group, so one cause reads as one. */
function groupByEvent<T extends Row>(rows: T[]): { key: string; items: T[] }[] {
  const groups: { key: string; items: T[] }[] = [];
  for (const r of rows) {
    const key = `${r.environment ?? ""}|${r.workload ?? r.service ?? ""}|${r.openedAt}`;
    const last = groups.at(-1);
    if (last && last.key.startsWith(`${key}#`)) last.items.push(r);
    else groups.push({ key: `${key}#${r.id}`, items: [r] });
  }
  return groups;
}

/** Digests shortened and instants in the summary text written as the rest of the page writes them. */
function readable(summary: string): string {
  return summary
    .replace(/sha256:([0-9a-f]{12})[0-9a-f]{52}/g, "sha256:$1…")
    .replace(/(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z/g, "$1 $2 UTC");
}

export function FindingsView({ options }: { options: FilterOptions }) {
  const [filters, setFilters] = useQueryStates(findingParsers);
  const counts = useQuery(getFindingCountsQueryOptions(filters));
  const list = useInfiniteQuery(getFindingsQueryOptions(filters));
  const select = (key: "environment" | "service", values: string[], label: string) => (
    <label>
      {label}
      <select value={filters[key] ?? ""} onChange={(e) => void setFilters({ [key]: e.target.value || null })}>
        <option value="">All</option>
        {values.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    </label>
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <form className="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={filters.status} onChange={(e) => void setFilters({ status: e.target.value === "resolved" || e.target.value === "any" ? e.target.value : null })}>
            <option value="any">Any</option>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
        {select("environment", options.environments, "Environment")}
        {select("service", options.services, "Service")}
        <label>
          Opened from (UTC)
          <DayInput value={filters.from ?? ""} onDay={(from) => void setFilters({ from })} />
        </label>
        <label>
          Opened to (UTC)
          <DayInput value={filters.to ?? ""} onDay={(to) => void setFilters({ to })} />
        </label>
        {filters.rule ? <button type="button" onClick={() => void setFilters({ rule: null })}>Clear rule: {filters.rule}</button> : null}
      </form>
      {/* A day filter that is no day is left out by the counts and the list alike: say so, not silently. */}
      <PeriodNotes notes={[dayFilterNote("Opened from", filters.from), dayFilterNote("Opened to", filters.to)].filter((n) => n !== null)} />
      <section aria-labelledby="by-rule">
        <h2 id="by-rule">By rule</h2>
        {counts.isError ? <p role="alert">Counts could not be loaded.</p> : counts.data?.length === 0 ? (
          <p className="empty">No findings match these filters.</p>
        ) : (
          <table>
            <caption className="sr-only">Number of findings per rule under the current filters</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col" className="num">Findings</th></tr></thead>
            <tbody>
              {(counts.data ?? []).map((c) => (
                <tr key={c.ruleId} aria-current={filters.rule === c.ruleId ? "true" : undefined}>
                  <th scope="row">
                    <button type="button" className="link" onClick={() => void setFilters({ rule: c.ruleId })}>{c.ruleTitle}</button>{" "}
                    <code className="muted">{c.ruleId}</code>
                  </th>
                  <td><Status value={c.severity} /></td>
                  <td className="num">{c.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Findings{filters.rule ? ` for ${filters.rule}` : ""}</h2>
        {list.isError ? <p role="alert">Findings could not be loaded.</p> : rows.length === 0 && !list.isPending ? (
          <p className="empty">No findings match these filters.</p>
        ) : (
          <table className="findings-list">
            <caption className="sr-only">Findings, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Opened</th>
                <th scope="col">Severity</th>
                <th scope="col" className="col-rule">Rule</th>
                <th scope="col">Status</th>
                <th scope="col">Environment</th>
                <th scope="col">Service</th>
                <th scope="col">Person</th>
                <th scope="col">Summary</th>
              </tr>
            </thead>
            {groupByEvent(rows).map((g) => (
              <tbody key={g.key}>
                {g.items.length > 1 ? (
                  <tr className="group-row">
                    <td colSpan={8}>
                      {g.items.length} findings opened together on {g.items[0]?.service ?? "—"} in {g.items[0]?.environment ?? "—"} at <Time value={g.items[0]?.openedAt ?? null} />
                      {g.items[0]?.workload ? <> (<code>{g.items[0].workload}</code>)</> : null}
                    </td>
                  </tr>
                ) : null}
                {g.items.map((f) => (
                  <tr key={f.id}>
                    <td><Time value={f.openedAt} /></td>
                    <td><Status value={f.severity} /></td>
                    <th scope="row" className="col-rule"><Link href={`/findings/${f.id}`}>{f.title}</Link> <code className="muted">{f.ruleId}</code></th>
                    <td><Status value={f.status} /></td>
                    <td>{f.environment ?? "—"}</td>
                    <td>{f.service ?? "—"}</td>
                    <td>{f.actor ?? <span className="muted">unknown</span>}</td>
                    <td>{readable(f.summary)}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        )}
        {list.hasNextPage ? (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? "Loading…" : "Load more findings"}
          </button>
        ) : null}
      </section>
    </>
  );
}
