"use client";

import { useActionState } from "react";
import { waiverAction, type WaiverFormState } from "./actions";

type Props = {
  findingId: number;
  me: string;
  open: boolean;
  requests: { id: number; requestedBy: string; justification: string; expiresAt: string }[];
  active: { id: number; approver: string; createdBy: string; expiresAt: string }[];
};

/** Waivers for compliance staff: request one, approve someone else's request, extend or revoke one in force. */
export function WaiverPanel({ findingId, me, open, requests, active }: Props) {
  const [state, action, pending] = useActionState<WaiverFormState, FormData>(waiverAction, {});
  const hidden = <input type="hidden" name="findingId" value={findingId} />;
  return (
    <section aria-labelledby="waiver-actions" className="stack">
      <h2 id="waiver-actions">Waiver actions</h2>
      <div role="alert" className="form-error">{state.error ?? null}</div>
      {state.done ? <p role="status">{state.done}</p> : null}
      {requests.map((r) => (
        <form key={r.id} action={action} className="inline-controls" aria-label={`Waiver request ${r.id}`}>
          {hidden}
          <input type="hidden" name="requestId" value={r.id} />
          <span>Requested by {r.requestedBy} until {r.expiresAt.slice(0, 10)}: {r.justification}</span>
          {r.requestedBy.toLowerCase() === me.toLowerCase() ? (
            <span className="muted">(waiting for someone else to approve)</span>
          ) : (
            <button type="submit" name="op" value="approve" disabled={pending}>Approve</button>
          )}
        </form>
      ))}
      {active.map((w) => (
        <form key={w.id} action={action} className="inline-controls" aria-label={`Waiver ${w.id}`}>
          {hidden}
          <input type="hidden" name="waiverId" value={w.id} />
          <span>Waived until {w.expiresAt.slice(0, 10)} (requested by {w.createdBy}, approved by {w.approver})</span>
          <label htmlFor={`extend-${w.id}`} className="sr-only">New end date</label>
          <input id={`extend-${w.id}`} name="expiresAt" type="date" />
          <button type="submit" name="op" value="extend" disabled={pending}>Extend</button>
          <button type="submit" name="op" value="revoke" disabled={pending}>Revoke</button>
        </form>
      ))}
      {open ? (
        <form action={action} className="stack" aria-label="Request a waiver">
          {hidden}
          <label htmlFor="waiver-justification">Why this finding may stand for a while (at least 10 characters)</label>
          <textarea id="waiver-justification" name="justification" required minLength={10} rows={2} />
          <label htmlFor="waiver-expires">Until</label>
          <input id="waiver-expires" name="expiresAt" type="date" required />
          <button type="submit" name="op" value="request" disabled={pending}>Request waiver</button>
        </form>
      ) : null}
    </section>
  );
}
