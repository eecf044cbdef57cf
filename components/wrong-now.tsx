import Link from "next/link";
import type { ObservedEnvironment, OpenFindingTotals } from "@/lib/evidence/observed";
import { SnapshotAge, VerdictBadge } from "./observed-state";
import { Status } from "./status";

/**
 * What is wrong in production now, before any chart: workloads that run something other than their
 * record or carry drift or critical findings, and the open incidents. Each row leads to the trace of
 * what actually runs (or the workload's findings) in one click.
 */
export function WrongNow({ envs, totals, openIncidents }: { envs: ObservedEnvironment[]; totals: OpenFindingTotals; openIncidents: number }) {
  const production = envs.filter((e) => e.isProduction);
  const rows = production.flatMap((e) =>
    e.services
      .filter((s) => s.verdict === "drift" || s.verdict === "unrecorded" || s.verdict === "not-observed" || s.openDriftFindings > 0 || s.worstSeverity === "critical")
      .map((s) => ({ env: e, s })),
  );
  const rank = (v: string) => ["drift", "unrecorded", "not-observed"].indexOf(v);
  rows.sort((a, b) => (rank(a.s.verdict) === -1 ? 9 : rank(a.s.verdict)) - (rank(b.s.verdict) === -1 ? 9 : rank(b.s.verdict)) || b.s.openFindings - a.s.openFindings);
  return (
    <section aria-labelledby="wrong-now-heading" className="card wrong-now">
      <h2 id="wrong-now-heading">Wrong in production now</h2>
      <p className="muted">
        {production.map((e) => (
          <span key={e.name}>
            {e.name}: <SnapshotAge env={e} />.{" "}
          </span>
        ))}
        <Link href="/incidents?status=open">{openIncidents} open {openIncidents === 1 ? "incident" : "incidents"}</Link> ·{" "}
        <Link href="/findings?status=open">{totals.total} open findings</Link> in all environments.
      </p>
      {rows.length === 0 ? (
        <p><Status value="pass" label="Production runs what was recorded, with no drift or critical finding open" /></p>
      ) : (
        <table>
          <caption className="sr-only">Production workloads that need attention</caption>
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col">State</th>
              <th scope="col">Open findings</th>
              <th scope="col">Incidents</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ env, s }) => {
              const wrong = s.verdict === "drift" || s.verdict === "unrecorded";
              const href = wrong && s.observedDigest ? `/trace/${encodeURIComponent(s.observedDigest)}` : `/environments/${encodeURIComponent(env.name)}`;
              return (
                <tr key={`${env.name}/${s.service}`} className={wrong ? "row-bad" : undefined}>
                  <th scope="row">
                    <Link href={href}>{s.service}</Link> <span className="muted">in {env.name}</span>
                  </th>
                  <td><VerdictBadge verdict={s.verdict} /></td>
                  <td>
                    <Link href={`/findings?status=open&environment=${encodeURIComponent(env.name)}&service=${encodeURIComponent(s.service)}`}>{s.openFindings} open</Link>
                    {s.worstSeverity ? <> <Status value={s.worstSeverity} label={`worst: ${s.worstSeverity}`} /></> : null}
                    {s.openDriftFindings > 0 ? <span className="muted"> · {s.openDriftFindings} drift</span> : null}
                  </td>
                  <td>{s.incidents.length === 0 ? <span className="muted">none</span> : s.incidents.map((i) => <Link key={i.id} href={`/incidents/${i.id}`}>#{i.id} </Link>)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
