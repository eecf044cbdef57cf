import type { Metadata } from "next";
import Link from "next/link";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { findingDetail } from "@/lib/dashboard/finding-detail";
import { getDb } from "@/lib/db";
import { ActionForm } from "../action-form";
import { openIncidentAction } from "../actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Open an incident" };

export default async function NewIncidentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("incidents:write", "/incidents/new");
  const raw = (await searchParams).finding;
  const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((v) => /^\d{1,15}$/.test(v)).map(Number);
  const db = await getDb();
  const found = (await Promise.all(ids.map((id) => findingDetail(db, id)))).filter((f) => f !== null);
  return (
    <>
      <p><Link href="/incidents">← All incidents</Link></p>
      <h1>Open an incident</h1>
      <p className="lead">
        Opening freezes a copy of the environment&rsquo;s state at this moment (workloads, digests and their evidence chains) into the incident.
      </p>
      <ActionForm action={openIncidentAction} label="Open an incident" submit="Open incident">
        {found.length > 0 ? (
          <fieldset>
            <legend>Drift findings</legend>
            <ul className="plain">
              {found.map((f) => (
                <li key={f.id}>
                  <input type="hidden" name="findingIds" value={f.id} />
                  <Link href={`/findings/${f.id}`}>#{f.id}</Link> <code>{f.ruleId}</code> on {f.service ?? f.subjectKey} in {f.environment ?? "—"}{" "}
                  (<Status value={f.status} />, opened <Time value={f.openedAt} />)
                </li>
              ))}
            </ul>
          </fieldset>
        ) : (
          <label>
            Environment
            <input name="environment" type="text" required defaultValue="production" maxLength={63} />
          </label>
        )}
        <label>
          Title <span className="muted">(optional; named after the first finding otherwise)</span>
          <input name="title" type="text" maxLength={300} />
        </label>
        <label>
          Owner
          <input name="owner" type="text" required maxLength={320} defaultValue={user.email} />
        </label>
      </ActionForm>
    </>
  );
}
