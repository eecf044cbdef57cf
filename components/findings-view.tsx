"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { getFindingCountsQueryOptions, getFindingsQueryOptions } from "@/app/_queries/options";
import type { FilterOptions } from "@/lib/dashboard/findings";
import { findingParsers } from "./finding-filters";
import { Status } from "./status";
import { Time } from "./time";


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
          Opened from
          <input type="date" value={filters.from ?? ""} onChange={(e) => void setFilters({ from: e.target.value || null })} />
        </label>
        <label>
          Opened to
          <input type="date" value={filters.to ?? ""} onChange={(e) => void setFilters({ to: e.target.value || null })} />
        </label>
        {filters.rule ? <button type="button" onClick={() => void setFilters({ rule: null })}>Clear rule: {filters.rule}</button> : null}
      </form>
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
          <table>
            <caption className="sr-only">Findings, newest first</caption>
            <thead><tr><th scope="col">Opened</th><th scope="col">Rule</th><th scope="col">Status</th><th scope="col">Environment</th><th scope="col">Service</th><th scope="col">Person</th><th scope="col">Summary</th></tr></thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f.id}>
                  <td><Time value={f.openedAt} /></td>
                  <th scope="row"><Link href={`/findings/${f.id}`}>{f.ruleTitle}</Link></th>
                  <td><Status value={f.status} /></td>
                  <td>{f.environment ?? "—"}</td>
                  <td>{f.service ?? "—"}</td>
                  <td>{f.actor ?? <span className="muted">unknown</span>}</td>
                  <td>{f.summary}</td>
                </tr>
              ))}
            </tbody>
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
