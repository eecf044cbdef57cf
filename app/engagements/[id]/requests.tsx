import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { allowedExtensions } from "@/lib/engagements/attachments";
import type { EngagementSummary } from "@/lib/engagements/summary";
import { ActionForm } from "../action-form";
import { answerRequestAction, raiseRequestAction, resolveRequestAction } from "../actions";

const tone: Record<string, string> = { open: "open", reopened: "open", answered: "expiring", accepted: "pass" };

/** The request list (PBC list) with each thread; forms for the auditor (raise, accept, reopen) and compliance (answer). */
export function RequestsSection({ s, audit, manage }: { s: EngagementSummary; audit: boolean; manage: boolean }) {
  const e = s.engagement;
  const id = <input type="hidden" name="id" value={e.id} />;
  return (
    <section aria-labelledby="requests-heading">
      <h2 id="requests-heading">Requests</h2>
      {s.requests.length === 0 ? <p className="empty">No requests yet.</p> : null}
      {s.requests.map((r) => (
        <article key={r.id} aria-labelledby={`request-${r.id}`} className="card">
          <h3 id={`request-${r.id}`}>#{r.id} {r.title} <Status value={tone[r.status] ?? "neutral"} label={r.status} /></h3>
          <p className="muted">On {r.changeId ? <>sampled change <code>{r.changeId}</code></> : "the engagement"} · raised by {r.raisedBy} <Time value={r.createdAt} /></p>
          {r.body ? <p>{r.body}</p> : null}
          {r.messages.map((m) => (
            <div key={m.id} className="thread">
              <p><strong>{m.kind === "answer" ? "Answer" : m.kind === "accept" ? "Accepted" : "Reopened"}</strong> by {m.author} <Time value={m.createdAt} /></p>
              {m.body ? <p>{m.body}</p> : null}
              {m.attachments.length > 0 ? (
                <ul>{m.attachments.map((a) => <li key={a.id}><a href={`/api/v1/engagements/${e.id}/attachments/${a.id}`} download>{a.fileName}</a> <span className="muted">({a.bytes} bytes, sha256 {a.sha256.slice(0, 12)}…)</span></li>)}</ul>
              ) : null}
            </div>
          ))}
          {manage && r.status !== "accepted" ? (
            <ActionForm action={answerRequestAction} label={`Answer request ${r.id}`} submit="Send answer">
              {id}
              <input type="hidden" name="requestId" value={r.id} />
              <label>Answer<textarea name="body" rows={2} maxLength={20000} /></label>
              <label>Files <span className="muted">(up to 5, 10 MiB each: {allowedExtensions.join(", ")})</span><input name="file" type="file" multiple accept={allowedExtensions.map((x) => `.${x}`).join(",")} /></label>
            </ActionForm>
          ) : null}
          {audit && (r.status === "answered" || r.status === "accepted") ? (
            <ActionForm action={resolveRequestAction} label={`Resolve request ${r.id}`} submit={r.status === "answered" ? "Accept or reopen" : "Reopen"} className="row-form">
              {id}
              <input type="hidden" name="requestId" value={r.id} />
              <label>Decision<select name="action" defaultValue={r.status === "answered" ? "accept" : "reopen"}>{r.status === "answered" ? <option value="accept">accept</option> : null}<option value="reopen">reopen</option></select></label>
              <label>Note<input name="note" maxLength={20000} /></label>
            </ActionForm>
          ) : null}
        </article>
      ))}
      {audit ? (
        <>
          <h3>Raise a request</h3>
          <ActionForm action={raiseRequestAction} label="Raise a request" submit="Raise request">
            {id}
            <label>On<select name="changeId" defaultValue=""><option value="">the engagement (request list)</option>{(s.sample?.changeIds ?? []).map((c) => <option key={c} value={c}>sampled change {c}</option>)}</select></label>
            <label>Title<input name="title" required maxLength={300} /></label>
            <label>Details<textarea name="body" rows={2} maxLength={20000} /></label>
          </ActionForm>
        </>
      ) : null}
    </section>
  );
}
