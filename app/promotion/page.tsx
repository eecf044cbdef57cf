import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { VerdictBadge } from "@/components/observed-state";
import PageLoading from "@/components/page-loading";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { observedEnvironments } from "@/lib/evidence/observed";
import { promotionView } from "@/lib/evidence/promotion";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Promotion" };

export default async function PromotionPage() {
  await requireUser("evidence:read", "/promotion");
  return (
    <>
      <h1>Promotion</h1>
      <p className="lead">
        The digest each service runs in each environment: what the latest snapshot observed, beside the deployment Custody recorded. A production digest that
        did not run in staging first is flagged, as is a workload that runs something other than its record.
      </p>
      <Suspense fallback={<PageLoading />}>
        <PromotionMatrix />
      </Suspense>
    </>
  );
}

/** The same promotion facts as GET /api/v1/promotion (lib/evidence/promotion.ts), with the observed state beside them. */
async function PromotionMatrix() {
  const db = await getDb();
  const [view, observed] = await Promise.all([promotionView(db), observedEnvironments(db)]);
  const services = [...new Set([...view.services.map((s) => s.service), ...observed.flatMap((e) => e.services.map((s) => s.service))])].sort();
  if (services.length === 0) return <Empty>Nothing has been deployed or observed yet.</Empty>;
  const skipped = view.services.filter((r) => r.passedStagingFirst === false).length;
  const drifted = observed.filter((e) => e.isProduction).reduce((n, e) => n + e.wrong, 0);
  return (
    <>
      <p className="inline-list">
        {skipped === 0 ? <Status value="pass" label="Every production digest ran in staging first" /> : <Status value="fail" label={`${skipped} ${skipped === 1 ? "service" : "services"} skipped staging`} />}
        {drifted === 0 ? <Status value="pass" label="Production runs what was recorded" /> : <Status value="fail" label={`${drifted} production ${drifted === 1 ? "workload differs" : "workloads differ"} from the record`} />}
      </p>
      <table className="matrix">
        <caption className="sr-only">Services by environment, with the digest observed and recorded in each</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            {observed.map((e) => <th key={e.name} scope="col">{e.name}</th>)}
            <th scope="col">Promotion</th>
          </tr>
        </thead>
        <tbody>
          {services.map((service) => {
            const row = view.services.find((r) => r.service === service);
            const prod = row ? view.productionEnvironments.map((p) => row.stages[p]).find(Boolean) : undefined;
            const staging = row ? view.stagingEnvironments.map((p) => row.stages[p]).find(Boolean) : undefined;
            return (
              <tr key={service}>
                <th scope="row">{service}</th>
                {observed.map((e) => {
                  const stage = row?.stages[e.name] ?? null;
                  const o = e.services.find((s) => s.service === service);
                  const wrong = o && (o.verdict === "drift" || o.verdict === "unrecorded");
                  const skippedHere = e.isProduction && row?.passedStagingFirst === false;
                  return (
                    <td key={e.name} className={wrong || skippedHere ? "cell-bad" : undefined}>
                      {stage ? (
                        <>
                          <Link href={`/deployments/${stage.deploymentId}`} aria-label={`${service} in ${e.name}: evidence chain`}><Digest value={stage.digest} /></Link>
                          <br />
                          <small><Time value={stage.deployedAt} /></small>
                        </>
                      ) : <span className="muted">not deployed</span>}
                      {o && o.verdict !== "matches" && o.verdict !== "no-snapshot" ? (
                        <div>
                          {o.observedDigest ? (
                            <small>observed <Link href={`/trace/${encodeURIComponent(o.observedDigest)}`} aria-label={`Trace the digest ${service} runs in ${e.name}`}><Digest value={o.observedDigest} /></Link></small>
                          ) : null}{" "}
                          <VerdictBadge verdict={o.verdict} />
                        </div>
                      ) : null}
                    </td>
                  );
                })}
                <td>
                  {observed.some((e) => e.isProduction && e.services.some((o) => o.service === service && o.verdict === "drift")) ? (
                    <Status value="fail" label="Changed in place in production" />
                  ) : row?.passedStagingFirst === false ? <Status value="fail" label="Skipped staging" /> : prod && staging && prod.digest !== staging.digest ? (
                    <Status value="missing" label="Differs from staging (ran there before)" />
                  ) : prod ? <Status value="pass" label="Promoted" /> : <span className="muted">not in production</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
