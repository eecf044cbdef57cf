import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { GateShareChart } from "@/components/charts/gate-share-chart";
import { Empty } from "@/components/empty";
import PageLoading from "@/components/page-loading";
import { ReplicaLag } from "@/components/replica-lag";
import { PeriodNotes } from "@/components/period-notes";
import { PeriodPicker } from "@/components/period-picker";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { parsePeriod, periodNotes, periodParams } from "@/lib/dashboard/period";
import { exceptionsByRule, gateShares, waiversInPeriod } from "@/lib/dashboard/posture";
import { getReadDb } from "@/lib/read-replica";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Posture" };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : null);

export default async function PosturePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("evidence:read", "/posture");
  // Offered only to roles the reports page lets in; a manager would get a 403 there.
  const mayExport = roleCan(user.role, "reports:export");
  const sp = await searchParams;
  const period = parsePeriod(one(sp.from), one(sp.to), new Date(), 90);
  const shown = periodParams(period);
  return (
    <>
      <h1>Posture</h1>
      <p className="lead">
        Production changes from {shown.from} to {shown.to} (UTC) against each gate, the exceptions raised and the waivers in force.
      </p>
      {/* Keyed by the period shown: after Apply the server renders the new period, and the boxes show it. */}
      <PeriodPicker key={`${shown.from}/${shown.to}`} used={shown} shallow={false} />
      <PeriodNotes notes={periodNotes(one(sp.from), one(sp.to), period)} />
      {mayExport ? (
        <p>
          <Link className="button" href={`/reports?framework=soc2&from=${shown.from}&to=${shown.to}`}>Export SOC 2 report for this period</Link>{" "}
          <Link className="button" href={`/reports?framework=iso27001&from=${shown.from}&to=${shown.to}`}>Export ISO 27001 report for this period</Link>
        </p>
      ) : null}
      <Suspense fallback={null}>
        <ReplicaLag />
      </Suspense>
      <Suspense fallback={<PageLoading />}>
        <PostureBody period={period} shown={shown} />
      </Suspense>
    </>
  );
}

/** The period's aggregates, streamed after the heading and the picker. */
async function PostureBody({ period, shown }: { period: ReturnType<typeof parsePeriod>; shown: { from: string; to: string } }) {
  const db = await getReadDb();
  const [shares, exceptions, waivers] = await Promise.all([gateShares(db, period), exceptionsByRule(db, period), waiversInPeriod(db, period)]);
  const judged = shares.some((s) => s.passRate !== null);
  return (
    <>
      <section aria-labelledby="gates-heading">
        <h2 id="gates-heading">Production changes passing each gate check</h2>
        {!judged ? <Empty>No production deployment in this period has a recorded gate check.</Empty> : (
          <div className="two-col">
            <figure className="card chart" aria-labelledby="gate-share-caption">
              <figcaption id="gate-share-caption" className="muted">Share passed, per check (the table has the numbers)</figcaption>
              <GateShareChart data={shares} />
            </figure>
            <table>
              <caption className="sr-only">Gate check results of production deployments in the period</caption>
              <thead><tr><th scope="col">Check</th><th scope="col">Gate</th><th scope="col" className="num">Passed</th><th scope="col" className="num">Failed</th><th scope="col" className="num">No evidence</th><th scope="col" className="num">Pass rate</th></tr></thead>
              <tbody>
                {shares.map((s) => (
                  <tr key={s.ruleId}>
                    <th scope="row">{s.ruleTitle}<br /><code className="muted">{s.ruleId}</code></th>
                    <td>{s.gate}</td>
                    <td className="num">{s.passed}</td>
                    <td className="num">{s.failed}</td>
                    <td className="num">{s.missing}</td>
                    <td className="num">{s.passRate === null ? "—" : `${s.passRate}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="exceptions-heading">
        <h2 id="exceptions-heading">Exceptions by rule</h2>
        {exceptions.length === 0 ? <Empty>No finding was opened in this period.</Empty> : (
          <table>
            <caption className="sr-only">Findings opened in the period, by rule</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col" className="num">Opened</th><th scope="col" className="num">Still open</th><th scope="col" className="num">Waived</th></tr></thead>
            <tbody>
              {exceptions.map((e) => (
                <tr key={e.ruleId}>
                  <th scope="row"><Link href={`/findings?rule=${encodeURIComponent(e.ruleId)}&from=${shown.from}&to=${shown.to}`}>{e.ruleTitle}</Link></th>
                  <td className="num">{e.opened}</td>
                  <td className="num">{e.stillOpen}</td>
                  <td className="num">{e.waived}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="waivers-heading">
        <h2 id="waivers-heading">Waivers</h2>
        {waivers.length === 0 ? <Empty>No waiver was in force during this period.</Empty> : (
          <table>
            <caption className="sr-only">Waivers in force during the period, soonest expiry first</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col">Subject</th><th scope="col">Approver</th><th scope="col">Justification</th><th scope="col">Expires</th><th scope="col">State</th></tr></thead>
            <tbody>
              {waivers.map((w) => (
                <tr key={w.id}>
                  <th scope="row">{w.ruleTitle}</th>
                  <td><code>{w.subjectKey}</code></td>
                  <td>{w.approver}</td>
                  <td>{w.justification}</td>
                  <td><Time value={w.expiresAt} /></td>
                  <td><Status value={w.state} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
