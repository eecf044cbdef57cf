import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { Digest } from "@/components/digest";
import { formatHours } from "@/components/duration";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { incidentDetail, type IncidentDetail } from "@/lib/incidents/detail";
import { IncidentForms } from "./forms";
import { CapturedState, ChangesBefore, Steps, Timeline } from "./sections";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Incident ${(await params).id}` };
}

async function load(id: number): Promise<IncidentDetail | null> {
  try {
    return await incidentDetail(await getDb(), id);
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return null;
    throw error;
  }
}

export default async function IncidentPage({ params }: Props) {
  const raw = (await params).id;
  const user = await requireUser("evidence:read", `/incidents/${raw}`);
  if (!/^\d{1,15}$/.test(raw)) notFound();
  const d = await load(Number(raw));
  if (!d) notFound();
  const fix = d.fixDeployment;
  return (
    <>
      <p><Link href="/incidents">← All incidents</Link></p>
      <h1>Incident {d.id}: {d.title}</h1>
      <p className="lead"><Status value={d.status} /> · {d.environment ?? "no environment"} · owner {d.owner}</p>
      <dl className="facts" aria-label="Incident facts">
        <dt>Opened</dt><dd><Time value={d.openedAt} /> by {d.openedBy}</dd>
        <dt>Closed</dt><dd>{d.closedAt ? <Time value={d.closedAt} /> : "still open"}</dd>
        <dt>Time to restore</dt>
        <dd>
          {formatHours(d.restore.sinceFailureHours)}{d.closedAt ? "" : " so far"} from the first finding (<Time value={d.restore.failureStartedAt} />);{" "}
          {formatHours(d.restore.hours)} from opening
        </dd>
        <dt>Fix deployment</dt>
        <dd>{fix ? <><Link href={`/deployments/${fix.id}`}>{fix.externalId}</Link>: {fix.service} <Digest value={fix.digest} /> through pipeline run {fix.pipelineRunId}, <Time value={fix.deployedAt} /></> : d.fixDeploymentKey ?? "not linked"}</dd>
        <dt>Root cause</dt><dd>{d.rootCause ?? <span className="muted">not recorded</span>}</dd>
        <dt>Corrective action</dt><dd>{d.correctiveAction ?? <span className="muted">not recorded</span>}</dd>
        <dt>Controls</dt><dd>{d.controls.map((c) => `${c.framework === "iso27001" ? "ISO 27001" : "SOC 2"} ${c.id} ${c.title}`).join(", ")}</dd>
        <dt>Findings</dt>
        <dd>
          {d.findings.length === 0 ? "none (opened from scratch)" : (
            <ul className="plain">
              {d.findings.map((f) => (
                <li key={`${f.ruleId} ${f.subjectKey}`}>
                  {f.id ? <Link href={`/findings/${f.id}`}>#{f.id}</Link> : null} <code>{f.ruleId}</code> on <code>{f.subjectKey}</code>{" "}
                  <Status value={f.status ?? "missing"} />{f.resolvedAt ? <> <Time value={f.resolvedAt} /></> : null}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <Timeline d={d} />
      <Steps d={d} />
      {d.status === "open" && roleCan(user.role, "incidents:write") ? <IncidentForms d={d} /> : null}
      <CapturedState d={d} />
      <ChangesBefore d={d} />
    </>
  );
}
