import type { Metadata } from "next";
import Link from "next/link";
import { Empty } from "@/components/empty";
import { formatHours } from "@/components/duration";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { listIncidents } from "@/lib/dashboard/incidents";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Incidents" };

const one = (v: string | string[] | undefined) => (typeof v === "string" && v !== "" ? v : null);

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("evidence:read", "/incidents");
  const sp = await searchParams;
  const status = one(sp.status);
  const page = await listIncidents(await getDb(), { status }, one(sp.cursor));
  return (
    <>
      <h1>Incidents</h1>
      <p className="lead">Breaks of immutability and how long each took to close. Open incidents count their time until now.</p>
      {roleCan(user.role, "incidents:write") ? <p><Link href="/incidents/new">Open an incident</Link> (or from a drift finding&rsquo;s page)</p> : null}
      <form method="get" className="filters" aria-label="Filter incidents">
        <label>
          Status
          <select name="status" defaultValue={status ?? ""}>
            <option value="">Any</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {page.items.length === 0 ? (
        <Empty>No incidents have been recorded{status ? ` with status ${status}` : ""}.</Empty>
      ) : (
        <table>
          <caption className="sr-only">Incidents, newest first</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Environment</th><th scope="col">Owner</th><th scope="col">Opened</th><th scope="col">Closed</th><th scope="col" className="num">Duration</th></tr></thead>
          <tbody>
            {page.items.map((i) => (
              <tr key={i.id}>
                <td>{i.id}</td>
                <th scope="row"><Link href={`/incidents/${i.id}`}>{i.title}</Link></th>
                <td><Status value={i.status} /></td>
                <td>{i.environment ?? "—"}</td>
                <td>{i.owner}</td>
                <td><Time value={i.openedAt} /></td>
                <td>{i.closedAt ? <Time value={i.closedAt} /> : "open"}</td>
                <td className="num">{formatHours(i.durationHours)}{i.closedAt ? "" : " so far"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor ? (
        <p><Link href={`/incidents?${new URLSearchParams({ ...(status ? { status } : {}), cursor: page.nextCursor }).toString()}`}>Older incidents</Link></p>
      ) : null}
    </>
  );
}
