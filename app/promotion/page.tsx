import type { Metadata } from "next";
import Link from "next/link";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { promotionMatrix } from "@/lib/dashboard/promotion";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Promotion" };

export default async function PromotionPage() {
  await requireUser("evidence:read", "/promotion");
  const m = await promotionMatrix(await getDb());
  const skipped = m.rows.filter((r) => r.skippedStaging).length;
  return (
    <>
      <h1>Promotion</h1>
      <p className="lead">
        The digest each service runs in each environment now. A production digest that never ran in the environment before it is flagged.
      </p>
      {m.rows.length === 0 ? <Empty>Nothing has been deployed yet.</Empty> : (
        <>
          <p>{skipped === 0 ? <Status value="pass" label="Every production digest ran in staging first" /> : <Status value="fail" label={`${skipped} ${skipped === 1 ? "service" : "services"} skipped staging`} />}</p>
          <table className="matrix">
            <caption className="sr-only">Services by environment, with the digest running in each</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                {m.environments.map((e) => <th key={e.name} scope="col">{e.name}</th>)}
                <th scope="col">Promotion</th>
              </tr>
            </thead>
            <tbody>
              {m.rows.map((r) => (
                <tr key={r.service}>
                  <th scope="row">{r.service}</th>
                  {m.environments.map((e) => {
                    const c = r.cells[e.name];
                    return (
                      <td key={e.name} className={e.isProduction && r.skippedStaging ? "cell-bad" : undefined}>
                        {c ? <><Link href={`/deployments/${c.deploymentId}`} aria-label={`${r.service} in ${e.name}: evidence chain`}><Digest value={c.digest} /></Link><br /><small><Time value={c.deployedAt} /></small></> : <span className="muted">not deployed</span>}
                      </td>
                    );
                  })}
                  <td>
                    {r.skippedStaging ? <Status value="fail" label="Skipped staging" /> : r.differsFromPrevious ? (
                      <Status value="missing" label="Differs from staging (ran there before)" />
                    ) : <Status value="pass" label="Promoted" />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
