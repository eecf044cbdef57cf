import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Status } from "@/components/status";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { engagementsFor, isEngagementAuditor } from "@/lib/engagements/access";
import { frameworks } from "@/lib/policy/controls";
import { ActionForm } from "./action-form";
import { createEngagementAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit engagements" };

const day = (d: Date) => d.toISOString().slice(0, 10);
const lastDay = (d: Date) => new Date(d.getTime() - 1).toISOString().slice(0, 10);

export default async function EngagementsPage() {
  const user = await requireUser("engagements:read", "/engagements");
  const rows = await engagementsFor(await getDb(), user);
  // An external auditor has one engagement: their workspace is their home.
  if (isEngagementAuditor(user) && rows.length === 1 && rows[0]) redirect(`/engagements/${rows[0].id}`);
  const manage = roleCan(user.role, "engagements:manage");
  return (
    <>
      <h1>Audit engagements</h1>
      <p className="lead">An engagement gives an external auditor their own workspace for one framework, period and scope, with the population frozen at a signed ledger checkpoint.</p>
      {rows.length === 0 ? (
        <p className="empty">{isEngagementAuditor(user) ? "Your access to an engagement has ended, or you have not been invited to one." : "No engagements yet."}</p>
      ) : (
        <table>
          <caption className="sr-only">Engagements</caption>
          <thead><tr><th scope="col">Engagement</th><th scope="col">Framework</th><th scope="col">Period (UTC)</th><th scope="col">Frozen at tree size</th><th scope="col">Access ends</th><th scope="col">State</th></tr></thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <td><Link href={`/engagements/${e.id}`}>{e.name}</Link></td>
                <td>{e.framework === "soc2" ? "SOC 2" : "ISO 27001"}</td>
                <td className="nowrap">{day(e.periodFrom)} to {lastDay(e.periodTo)}</td>
                <td className="num">{e.treeSize}</td>
                <td className="nowrap">{day(e.endsAt)}</td>
                <td><Status value={e.state === "open" ? "active" : "closed"} label={e.state} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage ? (
        <section aria-labelledby="new-engagement">
          <h2 id="new-engagement">New engagement</h2>
          <p className="muted">Creating it freezes the population: the in-scope changes of the period as the ledger holds them now. Evidence arriving later is shown beside it, never in it.</p>
          <ActionForm action={createEngagementAction} label="New engagement" submit="Create engagement and freeze population">
            <label>Name<input name="name" required maxLength={200} placeholder="SOC 2 Type II 2026" /></label>
            <label>Framework<select name="framework" defaultValue="soc2">{frameworks.map((f) => <option key={f} value={f}>{f === "soc2" ? "SOC 2" : "ISO 27001"}</option>)}</select></label>
            <label>Period from<input name="from" type="date" required /></label>
            <label>Period to (inclusive)<input name="to" type="date" required /></label>
            <label>Environments <span className="muted">(comma-separated; empty: every production environment)</span><input name="environments" /></label>
            <label>Services <span className="muted">(comma-separated; empty: all)</span><input name="services" /></label>
            <label>Auditors&apos; access ends<input name="endsAt" type="date" required /></label>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
