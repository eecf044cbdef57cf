import { Empty } from "@/components/empty";
import { Status } from "@/components/status";
import { getReadDb } from "@/lib/read-replica";
import { ruleTitle } from "@/lib/dashboard/findings";
import { buildReport } from "@/lib/reports/report";
import type { ReportParams } from "@/lib/reports/params";

/** What the download will hold, computed by the same buildReport as the export (nothing is recorded as exported). */
export async function ReportPreview({ params }: { params: ReportParams }) {
  const m = await buildReport(await getReadDb(), params);
  const byRule = Object.entries(m.exceptions.byRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <section aria-labelledby="preview-heading" className="card">
      <h2 id="preview-heading">Preview</h2>
      <dl className="facts">
        <dt>Framework</dt><dd>{m.frameworkName}</dd>
        <dt>Period</dt><dd>{m.period}</dd>
        <dt>Environments</dt><dd>{m.environments.join(", ") || "none"}</dd>
        <dt>Population</dt><dd>{m.populationSize} production changes</dd>
        <dt>Sample</dt><dd>{m.sample.size} changes ({m.sample.basis}), seed <code>{m.sample.seed}</code></dd>
        <dt>Exceptions</dt><dd>{m.exceptions.total === 0 ? <Status value="pass" label="none" /> : <Status value="fail" label={`${m.exceptions.total} exceptions`} />}</dd>
        <dt>Incidents</dt><dd>{m.incidents.rows.length}</dd>
        <dt>Waivers</dt><dd>{m.waivers.rows.length}</dd>
      </dl>
      <h3>Exceptions by rule</h3>
      {byRule.length === 0 ? <Empty>No exception in this period.</Empty> : (
        <table>
          <caption className="sr-only">Exceptions by rule in the report</caption>
          <thead><tr><th scope="col">Rule</th><th scope="col" className="num">Exceptions</th></tr></thead>
          <tbody>
            {byRule.map(([rule, n]) => (
              <tr key={rule}><th scope="row">{ruleTitle(rule)} <code className="muted">{rule}</code></th><td className="num">{n}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Sampled changes</h3>
      {m.sample.changeIds.length === 0 ? <Empty>No change in the sample.</Empty> : <p className="wrap"><code>{m.sample.changeIds.slice(0, 60).join(" ")}</code>{m.sample.changeIds.length > 60 ? " …" : ""}</p>}
    </section>
  );
}
