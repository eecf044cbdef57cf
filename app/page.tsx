import { Digest } from "@/components/digest";
import { SiteHeader } from "@/components/site-header";
import { Time } from "@/components/time";
import { getDb } from "@/lib/db";
import { environmentsOverview } from "@/lib/evidence/environments";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const envs = await environmentsOverview(await getDb());
  return (
    <>
      <SiteHeader />
      <main className="page">
        <h1>Environments</h1>
        <p className="lead">What the pipeline last deployed to each environment, per service.</p>
        <div className="env-grid">
          {envs.map((env) => (
            <section key={env.name} aria-labelledby={`env-${env.name}`} className="card">
              <h2 id={`env-${env.name}`}>
                {env.name}
                {env.isProduction ? <span className="badge">production</span> : null}
              </h2>
              <p className="muted">
                {env.services.length} services · last deployment <Time value={env.lastDeploymentAt} /> · last snapshot{" "}
                <Time value={env.lastSnapshotAt} /> · {env.openFindings} open findings
              </p>
              {env.services.length === 0 ? (
                <p>Nothing deployed yet.</p>
              ) : (
                <table>
                  <caption className="sr-only">Services running in {env.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Service</th>
                      <th scope="col">Digest</th>
                      <th scope="col">Deployed</th>
                      <th scope="col">By</th>
                    </tr>
                  </thead>
                  <tbody>
                    {env.services.map((s) => (
                      <tr key={s.service}>
                        <th scope="row">{s.service}</th>
                        <td>
                          <Digest value={s.digest} />
                        </td>
                        <td>
                          <Time value={s.deployedAt} />
                        </td>
                        <td>{s.actor ?? <span className="muted">unknown</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </div>
      </main>
    </>
  );
}
