"use client";

import { useQuery } from "@tanstack/react-query";
import { parseAsString, useQueryStates } from "nuqs";
import { getOverviewQueryOptions } from "@/app/_queries/options";
import { DeploymentsChart } from "./charts/deployments-chart";
import { OpenFindingsChart } from "./charts/open-findings-chart";
import { PassRateChart } from "./charts/pass-rate-chart";
import { formatHours } from "./duration";
import { PeriodNotes } from "./period-notes";

export function OverviewCharts() {
  const [{ from, to }] = useQueryStates({ from: parseAsString, to: parseAsString });
  const { data, isPending, isError } = useQuery(getOverviewQueryOptions(from, to));
  if (isPending) return <p role="status">Loading figures…</p>;
  if (isError) return <p role="alert">The figures could not be loaded. Reload the page to try again.</p>;
  const { dora } = data;
  const totalDeployments = data.deployments.rows.reduce((n, r) => n + data.deployments.environments.reduce((m, e) => m + Number(r[e] ?? 0), 0), 0);
  const judged = data.passRate.reduce((n, r) => n + r.checks, 0);
  return (
    <>
      <p className="muted">
        From {data.period.from} to {data.period.to} (UTC, both days included).
      </p>
      <PeriodNotes notes={data.period.notes} />
      <section aria-labelledby="dora-heading">
        <h2 id="dora-heading">Delivery performance (DORA)</h2>
        <dl className="figures">
          <div>
            <dt>Deployment frequency</dt>
            <dd>{dora.deploymentsPerDay} / day</dd>
            <dd className="muted">{dora.productionDeployments} production deployments</dd>
          </div>
          <div>
            <dt>Lead time for changes</dt>
            <dd>{formatHours(dora.leadTimeHours)}</dd>
            <dd className="muted">median, commit → production</dd>
          </div>
          <div>
            <dt>Change failure rate</dt>
            <dd>{dora.changeFailureRate === null ? "—" : `${dora.changeFailureRate}%`}</dd>
            <dd className="muted">{dora.failedChanges} followed by an incident, failure or rollback</dd>
          </div>
          <div>
            <dt>Time to restore</dt>
            <dd>{dora.incidentsClosed === 0 ? "No incidents" : formatHours(dora.timeToRestoreHours)}</dd>
            <dd className="muted">{dora.incidentsClosed === 0 ? "none closed in this period" : `median of ${dora.incidentsClosed} closed`}</dd>
          </div>
        </dl>
      </section>
      <div className="chart-grid">
        <figure className="card chart" aria-labelledby="chart-deployments">
          <figcaption id="chart-deployments">
            <h2>Deployments per day</h2>
            <span className="muted">{totalDeployments} deployments, stacked by environment</span>
          </figcaption>
          <DeploymentsChart data={data.deployments} />
        </figure>
        <figure className="card chart" aria-labelledby="chart-pass-rate">
          <figcaption id="chart-pass-rate">
            <h2>Gate pass rate, production</h2>
            <span className="muted">{judged === 0 ? "No gate check on a production deployment in this period" : `${judged} checks on production deployments, share passed per day`}</span>
          </figcaption>
          <PassRateChart data={data.passRate} />
        </figure>
        <figure className="card chart" aria-labelledby="chart-open-findings">
          <figcaption id="chart-open-findings">
            <h2>Open findings</h2>
            <span className="muted">open at the end of each day; {data.openFindings.at(-1)?.open ?? 0} at the end of the period</span>
          </figcaption>
          <OpenFindingsChart data={data.openFindings} />
        </figure>
      </div>
    </>
  );
}
