import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { JsonBlock } from "@/components/json-block";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { findingDetail } from "@/lib/dashboard/finding-detail";
import { findingHeadline } from "@/lib/policy/headline";
import { getDb } from "@/lib/db";
import { WaiverPanel } from "./waiver-panel";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Finding ${(await params).id}` };
}

export default async function FindingPage({ params }: Props) {
  const raw = (await params).id;
  const user = await requireUser("evidence:read", `/findings/${raw}`);
  if (!/^\d{1,15}$/.test(raw)) notFound();
  const f = await findingDetail(await getDb(), Number(raw));
  if (!f) notFound();
  const now = new Date().toISOString();
  const activeWaivers = f.waivers.filter((w) => w.revokedAt === null && w.expiresAt > now);
  const waivedUntil = activeWaivers.map((w) => w.expiresAt).sort().at(-1);
  return (
    <>
      <p><Link href="/findings">← All findings</Link></p>
      <h1>{findingHeadline(f.ruleId)}</h1>
      <p className="lead">
        <Status value={f.status} />{f.status === "open" && waivedUntil ? <> <Status value="waived" label={`waived until ${waivedUntil.slice(0, 10)}`} /></> : null} · <Status value={f.severity} label={`${f.severity} severity`} /> · <code>{f.ruleId}</code>
      </p>
      <p>{f.summary}</p>
      {f.rule ? <p className="muted">{f.rule.description}</p> : null}
      <dl className="facts">
        <dt>Person behind it</dt><dd>{f.actor ?? <span className="muted">not recorded</span>}</dd>
        <dt>Environment</dt><dd>{f.environment ? <Link href={`/environments/${encodeURIComponent(f.environment)}?at=${f.openedAt.slice(0, 16)}`}>{f.environment}</Link> : "—"}</dd>
        <dt>Service</dt><dd>{f.service ?? "—"}</dd>
        {f.workload ? <><dt>Workload</dt><dd><code>{f.workload}</code></dd></> : null}
        <dt>Subject</dt><dd><code>{f.subjectKey}</code></dd>
        <dt>Deployment</dt><dd>{f.deploymentId ? <Link href={`/deployments/${f.deploymentId}`}>Evidence chain of deployment {f.deploymentId}</Link> : "—"}</dd>
        <dt>Opened</dt><dd><Time value={f.openedAt} /></dd>
        <dt>Last seen</dt><dd><Time value={f.lastSeenAt} /></dd>
        <dt>Resolved</dt><dd>{f.resolvedAt ? <><Time value={f.resolvedAt} />{f.resolution ? `: ${f.resolution}` : ""}</> : "not yet"}</dd>
        {f.rule ? <><dt>Controls</dt><dd>{[...f.rule.controls.iso27001.map((c) => `ISO 27001 ${c}`), ...f.rule.controls.soc2.map((c) => `SOC 2 ${c}`)].join(", ")}</dd></> : null}
        <dt>Incidents</dt>
        <dd>
          {f.incidents.length === 0 ? "none linked" : f.incidents.map((i) => <span key={i.id}><Link href={`/incidents/${i.id}`}>#{i.id} {i.title}</Link> (<Status value={i.status} />) </span>)}
          {f.ruleId.startsWith("drift.") && f.status === "open" && !f.incidents.some((i) => i.status === "open") && roleCan(user.role, "incidents:write") ? (
            <> <Link href={`/incidents/new?finding=${f.id}`}>Open incident</Link></>
          ) : null}
        </dd>
        <dt>Waivers</dt>
        <dd>
          {f.waivers.length === 0 ? "none" : (
            <ul className="plain">{f.waivers.map((w) => <li key={w.id}>requested by {w.createdBy}, approved by {w.approver}, expires <Time value={w.expiresAt} />{w.revokedAt ? " (revoked)" : ""}: {w.justification}</li>)}</ul>
          )}
        </dd>
      </dl>
      {roleCan(user.role, "findings:waive") ? (
        <WaiverPanel
          findingId={f.id}
          me={user.email}
          open={f.status === "open"}
          requests={f.waiverRequests}
          active={activeWaivers}
        />
      ) : null}
      <section aria-labelledby="evidence-heading">
        <h2 id="evidence-heading">Evidence</h2>
        <JsonBlock className="evidence" value={f.evidence} label="Evidence (JSON)" />
      </section>
    </>
  );
}
