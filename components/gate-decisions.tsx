import Link from "next/link";
import type { DecisionView } from "@/lib/gates/queries";
import { Empty } from "./empty";
import { Status } from "./status";
import { Time } from "./time";

const label: Record<string, string> = { allow: "pass", warn: "missing", deny: "fail" };

/** The gates asked before this change (pipeline `assert`, admission break glass), with each failed check and its remedy. */
export function GateDecisions({ decisions }: { decisions: DecisionView[] }) {
  return (
    <section aria-labelledby="decisions-heading">
      <h2 id="decisions-heading">Gate decisions</h2>
      {decisions.length === 0 ? (
        <Empty>No gate was asked about this change before it went through.</Empty>
      ) : (
        <ul className="plain">
          {decisions.map((d) => (
            <li key={d.decisionId}>
              <p>
                <Status value={label[d.decision] ?? d.decision} label={`${d.gate}: ${d.decision}`} /> in {d.environment}, asked by {d.requestedBy},{" "}
                <Time value={d.decidedAt} /> · policy <code>{d.policyVersion}</code> · <code className="muted">{d.decisionId}</code>
              </p>
              {d.breakGlass ? (
                <p role="note" className="notice">
                  Break glass by {d.breakGlass.person}: {d.breakGlass.reason}
                  {d.breakGlass.incidentId !== undefined ? <> · <Link href={`/incidents/${d.breakGlass.incidentId}`}>incident {d.breakGlass.incidentId}</Link></> : null}
                </p>
              ) : null}
              {d.checks.length > 0 ? (
                <table>
                  <caption className="sr-only">Failed and waived checks of decision {d.decisionId}</caption>
                  <thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Reason</th><th scope="col">To fix</th></tr></thead>
                  <tbody>
                    {d.checks.map((c) => (
                      <tr key={c.ruleId}>
                        <th scope="row">{c.title}<br /><code className="muted">{c.ruleId}</code></th>
                        <td><Status value={c.waived ? "waived" : c.result} /></td>
                        <td>{c.reason}</td>
                        <td className="wrap">{c.remedy}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
