import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Empty } from "@/components/empty";
import { SnapshotAge } from "@/components/observed-state";
import PageLoading from "@/components/page-loading";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { observedEnvironments } from "@/lib/evidence/observed";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage() {
  await requireUser("evidence:read", "/environments");
  return (
    <>
      <h1>Environments</h1>
      <p className="lead">Each environment as its latest snapshot saw it, beside what Custody recorded being deployed there.</p>
      <Suspense fallback={<PageLoading />}>
        <EnvironmentsTable />
      </Suspense>
    </>
  );
}

async function EnvironmentsTable() {
  const envs = await observedEnvironments(await getDb());
  if (envs.length === 0) return <Empty>No environment is known yet: they appear with the first deployment or snapshot.</Empty>;
  return (
    <table>
      <caption className="sr-only">Environments, in promotion order</caption>
      <thead>
        <tr>
          <th scope="col">Environment</th>
          <th scope="col">Observed</th>
          <th scope="col">Workloads</th>
          <th scope="col">Differ from the record</th>
          <th scope="col">Open findings</th>
          <th scope="col">Open incidents</th>
          <th scope="col">Last deployment</th>
        </tr>
      </thead>
      <tbody>
        {envs.map((e) => (
          <tr key={e.name} className={e.wrong > 0 ? "row-bad" : undefined}>
            <th scope="row">
              <Link href={`/environments/${encodeURIComponent(e.name)}`}>{e.name}</Link> {e.isProduction ? <span className="badge">production</span> : null}
            </th>
            <td><SnapshotAge env={e} /></td>
            <td className="num">{e.services.length}</td>
            <td>{e.wrong === 0 ? <Status value="pass" label="none" /> : <Status value="fail" label={`${e.wrong} ${e.wrong === 1 ? "workload" : "workloads"}`} />}</td>
            <td className="num"><Link href={`/findings?status=open&environment=${encodeURIComponent(e.name)}`}>{e.openFindings}</Link></td>
            <td className="num">{e.openIncidents}</td>
            <td><Time value={e.lastDeploymentAt} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
