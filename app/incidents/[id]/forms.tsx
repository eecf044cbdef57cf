import { Time } from "@/components/time";
import type { IncidentDetail } from "@/lib/incidents/detail";
import { incidentSteps, stepTitles } from "@/lib/incidents/model";
import { ActionForm } from "../action-form";
import { addStepAction, closeIncidentAction, updateIncidentAction } from "../actions";

/** The manager's controls; the actions check incidents:write again, so hiding them is not the control. */
export function IncidentForms({ d }: { d: IncidentDetail }) {
  const id = <input type="hidden" name="id" value={d.id} />;
  return (
    <>
      <section aria-labelledby="step-form-heading">
        <h2 id="step-form-heading">Record a step</h2>
        <ActionForm action={addStepAction} label="Record a step" submit="Record step">
          {id}
          <label>
            Step
            <select name="step" required>
              {incidentSteps.map((s) => <option key={s} value={s}>{s}: {stepTitles[s]}</option>)}
            </select>
          </label>
          <label>Notes<textarea name="notes" required maxLength={20000} rows={3} /></label>
          <label>Evidence <span className="muted">(links or ids, one a line)</span><textarea name="evidence" rows={2} /></label>
        </ActionForm>
      </section>
      <section aria-labelledby="fix-heading">
        <h2 id="fix-heading">Fix deployment</h2>
        <p className="muted">Only successful deployments through the pipeline (a recorded pipeline run) to {d.environment} of the affected service, after the first finding.</p>
        <ActionForm action={updateIncidentAction} label="Link the fix deployment" submit="Link fix deployment">
          {id}
          <label>
            Fix deployment
            <select name="fixDeploymentKey" defaultValue={d.fixDeploymentKey ?? ""}>
              <option value="">none</option>
              {d.fixDeploymentKey && !d.fixCandidates.some((c) => c.externalId === d.fixDeploymentKey) ? <option value={d.fixDeploymentKey}>{d.fixDeploymentKey}</option> : null}
              {d.fixCandidates.map((c) => (
                <option key={c.id} value={c.externalId}>{c.service} {c.digest?.slice(7, 19) ?? c.imageRef} at {c.deployedAt.slice(0, 16).replace("T", " ")} (run {c.pipelineRunId})</option>
              ))}
            </select>
          </label>
        </ActionForm>
      </section>
      <section aria-labelledby="cause-heading">
        <h2 id="cause-heading">Owner, root cause and corrective action</h2>
        <ActionForm action={updateIncidentAction} label="Owner, root cause and corrective action" submit="Save">
          {id}
          <label>Owner<input name="owner" type="text" required maxLength={320} defaultValue={d.owner} /></label>
          <label>Root cause <span className="muted">(why the pipeline was bypassed)</span><textarea name="rootCause" rows={3} maxLength={20000} defaultValue={d.rootCause ?? ""} /></label>
          <label>Corrective action <span className="muted">(the process gap fixed)</span><textarea name="correctiveAction" rows={3} maxLength={20000} defaultValue={d.correctiveAction ?? ""} /></label>
        </ActionForm>
      </section>
      <section aria-labelledby="close-heading">
        <h2 id="close-heading">Close</h2>
        {d.closeBlockers.length > 0 ? (
          <>
            <p>Still needed before closing:</p>
            <ul>{d.closeBlockers.map((b) => <li key={b}>{b}</li>)}</ul>
          </>
        ) : <p>Everything is recorded; the incident can be closed. Opened <Time value={d.openedAt} />.</p>}
        <ActionForm action={closeIncidentAction} label="Close the incident" submit="Close incident">{id}</ActionForm>
      </section>
    </>
  );
}
