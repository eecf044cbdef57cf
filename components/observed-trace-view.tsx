import Link from "next/link";
import type { ObservedTrace } from "@/lib/evidence/observed-trace";
import { Status } from "./status";
import { Time } from "./time";

/** Where a digest ran, as the snapshots saw it, and what the evidence says about who put it there. */
export function ObservedTraceView({ trace }: { trace: ObservedTrace }) {
  return (
    <section aria-labelledby="observed-heading" className={trace.hasPipelineChain ? "observed-trace" : "observed-trace card wrong-now"}>
      <h2 id="observed-heading">Where it ran</h2>
      {trace.hasPipelineChain ? null : (
        <p role="note">
          <Status value="fail" label="No pipeline chain" /> No deployment and no CI build in Custody name this digest: nothing links it to a commit, a
          pull request, an approval or a pipeline run. It is known only because a snapshot saw it running.
        </p>
      )}
      <table>
        <caption>Workloads that ran this digest, as snapshots observed them</caption>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Workload</th>
            <th scope="col">Image reference</th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col">Snapshots</th>
            <th scope="col">Last applied by</th>
          </tr>
        </thead>
        <tbody>
          {trace.runs.map((r) => (
            <tr key={`${r.environment}/${r.namespace}/${r.kind}/${r.name}/${r.container}`}>
              <td><Link href={`/environments/${encodeURIComponent(r.environment)}`}>{r.environment}</Link></td>
              <th scope="row">
                {r.namespace}/{r.kind}/{r.name} <span className="muted">({r.container})</span>
                {r.runningNow ? <> <Status value="open" label="running now" /></> : null}
              </th>
              <td className="wrap"><code>{r.imageRef.split("@")[0]}</code></td>
              <td><Time value={r.firstSeenAt} /></td>
              <td><Time value={r.lastSeenAt} /></td>
              <td className="num">{r.snapshots}</td>
              <td>{r.lastAppliedBy ?? <span className="muted">not recorded</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>People the evidence names</h3>
      {trace.people.length === 0 ? (
        <p className="muted">No cluster audit record or finding names a person for these workloads.</p>
      ) : (
        <ul aria-label="People the evidence names">
          {trace.people.map((p) => (
            <li key={`${p.who}|${p.what}|${p.at ?? ""}`}>
              <strong>{p.who}</strong>: {p.what} {p.at ? <>at <Time value={p.at} /></> : null} <span className="muted">({sources[p.source]})</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Drift findings</h3>
      {trace.findings.length === 0 ? (
        <p className="muted">No drift finding on these workloads.</p>
      ) : (
        <table className="trace-findings">
          <caption className="sr-only">Drift findings on the workloads that ran this digest</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Rule</th>
              <th scope="col">Subject</th>
              <th scope="col">Summary</th>
              <th scope="col">Status</th>
              <th scope="col">Opened</th>
            </tr>
          </thead>
          <tbody>
            {trace.findings.map((f) => (
              <tr key={f.id}>
                <td><Status value={f.severity} /></td>
                <th scope="row" className="nowrap"><Link href={`/findings/${f.id}`}>{f.ruleId}</Link></th>
                <td>{f.subject}</td>
                <td>{f.summary}</td>
                <td><Status value={f.status} /></td>
                <td><Time value={f.openedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Incidents</h3>
      {trace.incidents.length === 0 ? (
        <p className="muted">No incident links these findings.</p>
      ) : (
        <ul>
          {trace.incidents.map((i) => (
            <li key={i.id}>
              <Link href={`/incidents/${i.id}`}>#{i.id} {i.title}</Link> <Status value={i.status} /> opened <Time value={i.openedAt} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const sources = { "cluster-audit": "Kubernetes audit log", finding: "finding", snapshot: "snapshot field manager" } as const;
