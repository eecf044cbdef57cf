import Link from "next/link";
import type { EnvironmentSummary } from "@/lib/evidence/environments";
import { Time } from "./time";

export function EnvironmentCards({ envs }: { envs: EnvironmentSummary[] }) {
  return (
    <div className="env-grid">
      {envs.map((env) => (
        <section key={env.name} aria-labelledby={`env-${env.name}`} className="card">
          <h3 id={`env-${env.name}`}>
            <Link href={`/environments/${encodeURIComponent(env.name)}`}>{env.name}</Link>
            {env.isProduction ? <span className="badge">production</span> : null}
          </h3>
          <p className="muted">
            {env.services.length} services · last deployment <Time value={env.lastDeploymentAt} /> · {env.openFindings} open findings
          </p>
        </section>
      ))}
    </div>
  );
}
