import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import PageLoading from "@/components/page-loading";
import { EvidenceFields } from "@/components/evidence-fields";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { auditActions, displayIp, listAudit, type AuditFilter } from "@/lib/audit/query";
import { requireUser } from "@/lib/auth/current-user";
import { flushRefusalCounts } from "@/lib/auth/refusals";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const keys = ["actor", "action", "from", "to"] as const;

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireUser("audit:read", "/audit-log");
  const params = await searchParams;
  const filter: AuditFilter = { actor: one(params.actor), action: one(params.action), from: one(params.from), to: one(params.to) };
  const cursor = one(params.cursor);
  const db = await getDb();
  const actions = await auditActions(db);
  const filtered = keys.some((k) => filter[k]);
  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">
        Who did what, when and from where. Append-only and hash-chained: <code>npx custody verify</code> recomputes it.{" "}
        <a href="/api/v1/audit-log/export" download>
          Export CSV
        </a>
      </p>
      <form method="get" action="/audit-log" className="filters" aria-label="Filter the audit log">
        <label>
          Actor <input name="actor" defaultValue={filter.actor ?? ""} placeholder="someone@example.com" />
        </label>
        <label>
          Action{" "}
          <select name="action" defaultValue={filter.action ?? ""}>
            <option value="">All</option>
            {[...new Set(actions.map((a) => `${a.split(".")[0]}.`))].map((family) => (
              <optgroup key={family} label={family.slice(0, -1)}>
                <option value={family}>all {family.slice(0, -1)} actions</option>
                {actions.filter((a) => a.startsWith(family)).map((a) => <option key={a} value={a}>{a}</option>)}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          From (UTC) <input name="from" defaultValue={filter.from ?? ""} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" />
        </label>
        <label>
          To (UTC, inclusive) <input name="to" defaultValue={filter.to ?? ""} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" />
        </label>
        <button type="submit">Filter</button>
        {filtered ? <Link href="/audit-log">Clear filters</Link> : null}
      </form>
      {/* The heading and the filters first; the entries (up to 100, with their details) stream in. */}
      <Suspense fallback={<PageLoading />}>
        <AuditEntries filter={filter} cursor={cursor} />
      </Suspense>
    </>
  );
}

async function AuditEntries({ filter, cursor }: { filter: AuditFilter; cursor: string | null }) {
  const db = await getDb();
  await flushRefusalCounts(db);
  let error: string | null = null;
  let page: Awaited<ReturnType<typeof listAudit>> = { entries: [], nextCursor: null };
  try {
    page = await listAudit(db, { ...filter, cursor, limit: 100 });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    error = e.message;
  }
  const query = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    for (const k of keys) if (filter[k]) q.set(k, filter[k] ?? "");
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    const s = q.toString();
    return s ? `/audit-log?${s}` : "/audit-log";
  };
  const filtered = keys.some((k) => filter[k]);
  return (
    <>
      {error ? <p role="alert" className="notice">{error}</p> : null}
      <table className="audit-table">
        <caption className="sr-only">Audit log entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">From</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {page.entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td><Time value={e.at} /></td>
              <th scope="row">
                {e.actor} <span className="muted">({e.actorType})</span>
              </th>
              <td><code>{e.action}</code></td>
              <td className="wrap">{e.target ?? ""}</td>
              <td><Status value={e.outcome} /></td>
              <td>{displayIp(e.ip) ?? <span className="muted">unknown</span>}</td>
              <td>{Object.keys(e.details).length > 0 ? <EvidenceFields evidence={e.details} nested /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.entries.length === 0 && !error ? <p className="empty">{filtered ? "No entry matches these filters." : "No entries yet."}</p> : null}
      <nav aria-label="Pages">
        {cursor ? <Link href={query({})}>Newest</Link> : null} {page.nextCursor ? <Link href={query({ cursor: page.nextCursor })}>Older entries</Link> : null}
      </nav>
    </>
  );
}
