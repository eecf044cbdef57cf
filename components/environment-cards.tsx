import Link from "next/link";
import type { ObservedEnvironment, OpenFindingTotals } from "@/lib/evidence/observed";
import { SnapshotAge } from "./observed-state";
import { Time } from "./time";

/** One card per environment; their open findings plus the service-wide ones add up to the total shown everywhere. */
export function EnvironmentCards({ envs, totals }: { envs: ObservedEnvironment[]; totals: OpenFindingTotals }) {
  return (
    <>
      <div className="env-grid">
        {envs.map((env) => (
          <section key={env.name} aria-labelledby={`env-${env.name}`} className="card">
            <h3 id={`env-${env.name}`}>
              <Link href={`/environments/${encodeURIComponent(env.name)}`}>{env.name}</Link>
              {env.isProduction ? <span className="badge">production</span> : null}
            </h3>
            <p className="muted">
              {env.services.length} workloads{env.wrong > 0 ? <strong className="text-bad"> ({env.wrong} {env.wrong === 1 ? "differs" : "differ"} from the record)</strong> : null} · last deployment{" "}
              <Time value={env.lastDeploymentAt} /> · {env.openFindings} open findings
              <br />
              <SnapshotAge env={env} />
            </p>
          </section>
        ))}
      </div>
      {totals.withoutEnvironment > 0 ? (
        <p className="muted">
          And {totals.withoutEnvironment} open {totals.withoutEnvironment === 1 ? "finding is" : "findings are"} about a service as a whole (e.g. images kept for rollback),
          in no environment: {totals.total} open findings in all.
        </p>
      ) : null}
    </>
  );
}
