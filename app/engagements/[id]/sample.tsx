import { Status } from "@/components/status";
import { Time } from "@/components/time";
import type { EngagementSummary } from "@/lib/engagements/summary";
import { approverNames } from "@/lib/reports/population";
import { ActionForm } from "../action-form";
import { drawSampleAction, markTestAction } from "../actions";

/** The sample in force with each change's test, the draw form and the marks (for the engagement auditor). */
export function SampleSection({ s, audit }: { s: EngagementSummary; audit: boolean }) {
  const e = s.engagement;
  const id = <input type="hidden" name="id" value={e.id} />;
  return (
    <section aria-labelledby="sample-heading">
      <h2 id="sample-heading">Sample</h2>
      {s.sample ? (
        <p>
          Draw {s.sample.drawNo}: <strong>{s.sample.size}</strong> of {s.sample.populationSize} changes, seed <code>{s.sample.seed}</code>, drawn by {s.sample.drawnBy} <Time value={s.sample.drawnAt} />
          {s.sample.reason ? <> (redrawn: {s.sample.reason})</> : null}. <span className="muted">{s.sample.method}.</span>
        </p>
      ) : <p className="empty">No sample drawn yet.</p>}
      {audit ? (
        <ActionForm action={drawSampleAction} label={s.sample ? "Redraw the sample" : "Draw the sample"} submit={s.sample ? "Redraw sample" : "Draw sample"} className="row-form">
          {id}
          <label>Size<input name="size" type="number" min={1} max={9999} required defaultValue={s.sample?.requestedSize ?? 25} /></label>
          <label>Seed<input name="seed" pattern="[A-Za-z0-9_-]{1,64}" placeholder="random" /></label>
          {s.sample ? <label>Reason for the redraw<input name="reason" required maxLength={2000} /></label> : null}
        </ActionForm>
      ) : null}
      {s.sampled.length > 0 ? (
        <table>
          <caption className="sr-only">Sampled changes and their tests</caption>
          <thead><tr><th scope="col">Change</th><th scope="col">Service</th><th scope="col">Deployed</th><th scope="col">Approvers</th><th scope="col">Exceptions</th><th scope="col">Test</th></tr></thead>
          <tbody>
            {s.sampled.map(({ row, test }) => (
              <tr key={row.changeId}>
                <td className="wrap">{row.changeId}<br /><span className="muted">{row.pullRequest || "no pull request"}</span></td>
                <td>{row.service}</td>
                <td className="nowrap"><Time value={row.deployedAt} /></td>
                <td className="wrap">{approverNames(row.approvers) || <span className="muted">none</span>}</td>
                <td className="wrap">{row.exceptions || <span className="muted">none</span>}</td>
                <td>
                  {test ? <><Status value={test.result === "pass" ? "pass" : "fail"} label={test.result} />{test.note ? <> {test.note}</> : null}</> : <span className="muted">not tested</span>}
                  {audit ? (
                    <ActionForm action={markTestAction} label={`Test of ${row.changeId}`} submit="Mark" className="row-form">
                      {id}
                      <input type="hidden" name="changeId" value={row.changeId} />
                      <label>Result<select name="result" defaultValue={test?.result ?? "pass"}><option value="pass">pass</option><option value="exception">exception</option></select></label>
                      <label>Note<input name="note" defaultValue={test?.note ?? ""} maxLength={20000} /></label>
                    </ActionForm>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {s.draws.length > 1 ? <p className="muted">Earlier draws: {s.draws.slice(0, -1).map((d) => `#${d.drawNo} seed ${d.seed} (${d.size})`).join("; ")}. Every draw is in the audit log.</p> : null}
    </section>
  );
}
