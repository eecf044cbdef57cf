import type { Metadata } from "next";
import Link from "next/link";
import { Time } from "@/components/time";
import { listAudit } from "@/lib/audit/query";
import { requireUser } from "@/lib/auth/current-user";
import { flushRefusalCounts } from "@/lib/auth/refusals";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("audit:read", "/audit-log");
  const params = await searchParams;
  const cursor = typeof params.cursor === "string" && /^\d+$/.test(params.cursor) ? params.cursor : null;
  const db = await getDb();
  await flushRefusalCounts(db);
  const page = await listAudit(db, { cursor, limit: 100 });
  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">
        Who did what, when and from where. Append-only and hash-chained: <code>npx custody verify</code> recomputes it.{" "}
        <a href="/api/v1/audit-log/export" download>
          Export CSV
        </a>
      </p>
      <table>
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
              <td>
                <Time value={e.at} />
              </td>
              <th scope="row">
                {e.actor} <span className="muted">({e.actorType})</span>
              </th>
              <td>{e.action}</td>
              <td>{e.target ?? ""}</td>
              <td>{e.outcome}</td>
              <td>{e.ip ?? <span className="muted">unknown</span>}</td>
              <td>
                <code>{Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : ""}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.entries.length === 0 ? <p>No entries yet.</p> : null}
      <nav aria-label="Pages">
        {cursor ? <Link href="/audit-log">Newest</Link> : null} {page.nextCursor ? <Link href={`/audit-log?cursor=${page.nextCursor}`}>Older entries</Link> : null}
      </nav>
    </>
  );
}
