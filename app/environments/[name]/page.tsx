import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { IncidentsCell, OpenFindingsCell, SnapshotAge, VerdictBadge } from "@/components/observed-state";
import PageLoading from "@/components/page-loading";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { parseInstant } from "@/lib/evidence/cursor";
import { environmentNames, observedEnvironments } from "@/lib/evidence/observed";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Environment ${decodeURIComponent((await params).name)}` };
}

/** `?at=` is read exactly as the API reads it (ISO 8601; a time without a zone is UTC). */
function readAt(v: string | string[] | undefined): { at: Date | null; error: string | null } {
  try {
    return { at: parseInstant("at", typeof v === "string" ? v : null) ?? null, error: null };
  } catch (e) {
    return { at: null, error: e instanceof AppError ? e.message : "at: not a date-time" };
  }
}

export default async function EnvironmentPage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  await requireUser("evidence:read", `/environments/${name}`);
  const env = (await environmentNames(await getDb())).find((e) => e.name === name);
  if (!env) notFound();
  const { at, error } = readAt((await searchParams).at);
  const shown = at ? at.toISOString().slice(0, 16) : "";
  return (
    <>
      <h1>
        {env.name} {env.isProduction ? <span className="badge">production</span> : null}
      </h1>
      <p className="lead">
        What {env.name} runs {at ? <>as of <Time value={at} /></> : "now"}: the digest the latest snapshot observed beside the deployment Custody recorded.
        Open a recorded deployment to walk its evidence chain, or trace an observed digest to see where it came from.
      </p>
      <form method="get" className="filters" aria-label="Moment">
        <label>
          Moment (UTC)
          <input name="at" defaultValue={shown} placeholder="2026-10-15T12:00" pattern="\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?" inputMode="numeric" aria-describedby="moment-help" />
        </label>
        <button type="submit">Show</button>
        <span id="moment-help" className="muted">ISO 8601, UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM</span>
        {at ? <Link href={`/environments/${encodeURIComponent(env.name)}`}>Back to now</Link> : null}
      </form>
      {error ? <p role="alert" className="notice">{error}; showing now.</p> : null}
      <Suspense fallback={<PageLoading />}>
        <EnvironmentTable name={env.name} at={at} />
      </Suspense>
    </>
  );
}

async function EnvironmentTable({ name, at }: { name: string; at: Date | null }) {
  const env = (await observedEnvironments(await getDb(), at ?? new Date())).find((e) => e.name === name);
  if (!env) return <Empty>{name} no longer exists.</Empty>;
  const when = at ? `at ${at.toISOString().slice(0, 16).replace("T", " ")} UTC` : "now";
  return (
    <>
      <p>
        <SnapshotAge env={env} /> · {env.wrong === 0 ? "every observed workload runs its recorded digest" : <strong>{env.wrong} of {env.services.length} workloads differ from the record</strong>} ·{" "}
        <Link href={`/findings?status=open&environment=${encodeURIComponent(env.name)}`}>{env.openFindings} open findings in {env.name}</Link>
        {env.openIncidents > 0 ? <> · <Link href="/incidents?status=open">{env.openIncidents} open incidents</Link></> : null}
      </p>
      {env.services.length === 0 ? (
        <Empty>Nothing had been deployed to or observed in {env.name} at that moment.</Empty>
      ) : (
        <table>
          <caption>
            {env.services.length} workloads running in {env.name} {when}
          </caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Observed now</th>
              <th scope="col">Recorded deployment</th>
              <th scope="col">State</th>
              <th scope="col">Open findings</th>
              <th scope="col">Incidents</th>
              <th scope="col">Deployed</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {env.services.map((s) => (
              <tr key={s.service} className={s.verdict === "drift" || s.verdict === "unrecorded" ? "row-bad" : undefined}>
                <th scope="row">{s.service}</th>
                <td>
                  {s.observedDigest ? (
                    <Link href={`/trace/${encodeURIComponent(s.observedDigest)}`} aria-label={`Trace the digest ${s.service} runs in ${env.name}`}>
                      <Digest value={s.observedDigest} />
                    </Link>
                  ) : (
                    <span className="muted">{s.observed.length > 0 ? "by tag only" : "not observed"}</span>
                  )}
                </td>
                <td>
                  {s.recorded ? (
                    <Link href={`/deployments/${s.recorded.deploymentId}`} aria-label={`Evidence chain of ${s.service} in ${env.name}`}>
                      <Digest value={s.recorded.digest} />
                    </Link>
                  ) : (
                    <span className="muted">none recorded</span>
                  )}
                </td>
                <td><VerdictBadge verdict={s.verdict} /></td>
                <td><OpenFindingsCell s={s} environment={env.name} /></td>
                <td><IncidentsCell s={s} /></td>
                <td>{s.recorded ? <Time value={s.recorded.deployedAt} /> : <span className="muted">—</span>}</td>
                <td>{s.recorded?.actor ?? <span className="muted">unknown</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
