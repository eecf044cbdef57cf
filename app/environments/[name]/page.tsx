import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { environmentsOverview } from "@/lib/evidence/environments";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Environment ${decodeURIComponent((await params).name)}` };
}

/** `?at=` accepts ISO 8601 or the picker's `YYYY-MM-DDTHH:MM`, read as UTC. */
function parseAt(v: string | string[] | undefined): Date | null {
  if (typeof v !== "string" || v === "") return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export default async function EnvironmentPage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  await requireUser("evidence:read", `/environments/${name}`);
  const at = parseAt((await searchParams).at);
  const env = (await environmentsOverview(await getDb(), at ?? new Date())).find((e) => e.name === name);
  if (!env) notFound();
  const shown = at ? at.toISOString().slice(0, 16) : "";
  return (
    <>
      <h1>
        {env.name} {env.isProduction ? <span className="badge">production</span> : null}
      </h1>
      <p className="lead">
        The last successful deployment of each service {at ? <>as of <Time value={at} /></> : "now"}. Open one to walk its evidence chain.{" "}
        <Link href={`/findings?environment=${encodeURIComponent(env.name)}`}>{env.openFindings} open findings in {env.name}</Link>.
      </p>
      <form method="get" className="filters" aria-label="Moment">
        <label>
          Moment (UTC)
          <input type="datetime-local" name="at" defaultValue={shown} step={60} />
        </label>
        <button type="submit">Show</button>
        {at ? <Link href={`/environments/${encodeURIComponent(env.name)}`}>Back to now</Link> : null}
      </form>
      {env.services.length === 0 ? (
        <Empty>Nothing had been deployed to {env.name} at that moment.</Empty>
      ) : (
        <table>
          <caption>
            {env.services.length} services running in {env.name} {at ? `at ${at.toISOString().slice(0, 16).replace("T", " ")} UTC` : "now"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Digest</th>
              <th scope="col">Image reference</th>
              <th scope="col">Deployed</th>
              <th scope="col">By</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {env.services.map((s) => (
              <tr key={s.service}>
                <th scope="row">{s.service}</th>
                <td><Digest value={s.digest} /></td>
                <td className="wrap"><code>{s.imageRef.split("@")[0]}</code></td>
                <td><Time value={s.deployedAt} /></td>
                <td>{s.actor ?? <span className="muted">unknown</span>}</td>
                <td>
                  <Link href={`/deployments/${s.deploymentId}`} aria-label={`Evidence chain of ${s.service} in ${env.name}`}>
                    Evidence chain
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
