import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { engagementFor } from "@/lib/engagements/access";
import { engagementSummary } from "@/lib/engagements/summary";
import { AppError } from "@/lib/errors";
import { instanceSigningKey } from "@/lib/signing/keys";
import { ActionForm } from "../action-form";
import { closeEngagementAction, endAuditorAction, inviteAuditorAction } from "../actions";
import { RequestsSection } from "./requests";
import { SampleSection } from "./sample";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Engagement ${(await params).id}` };
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const lastDay = (d: Date) => new Date(d.getTime() - 1).toISOString().slice(0, 10);

export default async function EngagementPage({ params }: Props) {
  const raw = (await params).id;
  const user = await requireUser("engagements:read", `/engagements/${raw}`);
  if (!/^\d{1,15}$/.test(raw)) notFound();
  const db = await getDb();
  // Another auditor's engagement is a 404, exactly like one that does not exist.
  const e = await engagementFor(db, user, Number(raw)).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const s = await engagementSummary(db, e);
  const manage = roleCan(user.role, "engagements:manage") && e.state === "open";
  const audit = roleCan(user.role, "engagements:audit") && e.state === "open";
  const id = <input type="hidden" name="id" value={e.id} />;
  const base = `/api/v1/engagements/${e.id}`;
  return (
    <>
      {roleCan(user.role, "engagements:manage") ? <p><Link href="/engagements">← All engagements</Link></p> : null}
      <h1>{e.name}</h1>
      <p className="lead">
        <Status value={e.state === "open" ? "active" : "closed"} label={e.state} /> · {s.frameworkName} · period {day(e.periodFrom)} to {lastDay(e.periodTo)} (UTC, inclusive)
      </p>
      <dl className="facts" aria-label="Engagement facts">
        <dt>Scope</dt><dd>environments {e.scopeEnvironments.join(", ") || "(none)"}; services {e.services.join(", ") || "all"}</dd>
        <dt>Population frozen</dt><dd>ledger tree size <strong>{e.treeSize}</strong> (root <code>{e.rootHash.slice(0, 16)}…</code>), <Time value={e.frozenAt} />, by {e.createdBy}</dd>
        <dt>Population</dt><dd>{s.populationSize} production changes · <a href={`${base}/population?format=csv`}>population CSV</a></dd>
        <dt>Auditors&apos; access ends</dt><dd><Time value={e.endsAt} /></dd>
        {e.closedAt ? <><dt>Signed off</dt><dd><Time value={e.closedAt} /> by {e.closedBy}: {e.conclusion}</dd></> : null}
        <dt>Downloads</dt>
        <dd><a href={`${base}/export?format=pdf`}>Summary PDF</a> · {instanceSigningKey() ? <a href={`${base}/export?format=zip`}>Signed evidence package</a> : <span>signed evidence package unavailable: this instance has no signing key (an administrator sets <code>CUSTODY_SIGNING_KEY</code>)</span>} · <a href={`${base}/requests?format=csv`}>Request list CSV</a></dd>
      </dl>

      <section aria-labelledby="arrived-heading" className="notice">
        <h2 id="arrived-heading">Arrived since the population was frozen</h2>
        <p>
          {s.arrivals.ledgerEntries} ledger entr{s.arrivals.ledgerEntries === 1 ? "y" : "ies"} after tree size {e.treeSize}
          {s.arrivals.byType.length > 0 ? ` (${s.arrivals.byType.map((t) => `${t.n} ${t.eventType}`).join(", ")})` : ""};{" "}
          {s.arrivals.lateChangeCount} in-scope change{s.arrivals.lateChangeCount === 1 ? "" : "s"} of the period not in the population
          {s.arrivals.lateChanges.length > 0 ? `: ${s.arrivals.lateChanges.slice(0, 5).map((c) => c.changeId).join(", ")}${s.arrivals.lateChangeCount > 5 ? ", …" : ""}` : ""}.
          {" "}None of it changes the population, the sample or the tests.
        </p>
      </section>

      <SampleSection s={s} audit={audit} />
      <RequestsSection s={s} audit={audit} manage={manage} />

      <section aria-labelledby="auditors-heading">
        <h2 id="auditors-heading">Auditors</h2>
        {s.auditors.length === 0 ? <p className="empty">No auditor invited yet.</p> : (
          <table>
            <caption className="sr-only">Auditors</caption>
            <thead><tr><th scope="col">Auditor</th><th scope="col">State</th><th scope="col">Access until</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {s.auditors.map((a) => (
                <tr key={a.userId}>
                  <td>{a.name} &lt;{a.email}&gt;</td>
                  <td><Status value={a.state === "invited" ? "expiring" : a.state} label={a.state} /></td>
                  <td><Time value={a.expiresAt} /></td>
                  <td>{manage && (a.state === "active" || a.state === "invited") ? (
                    <ActionForm action={endAuditorAction} label={`End access of ${a.email}`} submit="End access now" className="row-form">{id}<input type="hidden" name="userId" value={a.userId} /></ActionForm>
                  ) : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {manage ? (
          <ActionForm action={inviteAuditorAction} label="Invite an auditor" submit="Invite auditor">
            {id}
            <label>Auditor&apos;s e-mail<input name="email" type="email" required /></label>
            <label>Name<input name="name" maxLength={200} /></label>
          </ActionForm>
        ) : null}
      </section>

      <section aria-labelledby="signoff-heading">
        <h2 id="signoff-heading">Sign-off</h2>
        {e.state === "closed" ? <p>Closed <Time value={e.closedAt} /> by {e.closedBy}. The summary PDF and the signed package above are the record.</p> : (
          <>
            {s.blockers.length > 0 ? <><p>Still needed before sign-off:</p><ul>{s.blockers.map((b) => <li key={b}>{b}</li>)}</ul></> : <p>Every sampled change is tested and every request accepted.</p>}
            {audit ? (
              <ActionForm action={closeEngagementAction} label="Sign off and close" submit="Sign off and close engagement">
                {id}
                <label>Conclusion<textarea name="conclusion" required rows={3} maxLength={20000} /></label>
              </ActionForm>
            ) : null}
          </>
        )}
      </section>
    </>
  );
}
