import type { Metadata } from "next";
import { Suspense } from "react";
import PageLoading from "@/components/page-loading";
import { requireUser } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors";
import { csvKinds, paramsQuery, parseReportParams, type ReportParams } from "@/lib/reports/params";
import { ReportPreview } from "./preview";
import { ReplicaLag } from "@/components/replica-lag";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Evidence reports" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v) || undefined;

function defaults(): { from: string; to: string } {
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3);
  const from = new Date(Date.UTC(now.getUTCFullYear(), (q - 1) * 3, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 0));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

export default async function ReportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireUser("reports:export", "/reports");
  const sp = await searchParams;
  const framework = one(sp.framework);
  const input = Object.fromEntries(["from", "to", "environment", "service", "format", "kind", "sample", "seed", "confidence", "tolerable"].map((k) => [k, one(sp[k])]));
  let params: ReportParams | null = null;
  let error: string | null = null;
  if (framework) {
    try {
      params = parseReportParams(framework, input);
    } catch (e) {
      error = e instanceof AppError ? e.message : "these parameters cannot make a report";
    }
  }
  const d = defaults();
  const href = (p: ReportParams, o: Parameters<typeof paramsQuery>[1] = {}) => `/api/v1/reports/${p.framework}?${paramsQuery(p, o)}`;
  return (
    <>
      <h1>Evidence reports</h1>
      <p className="lead">
        Every production change in a period, with its approvals, pipeline run, image and gate results, for an ISO 27001 or SOC 2 Type II audit.
      </p>
      <Suspense fallback={null}>
        <ReplicaLag />
      </Suspense>
      <form method="get" action="/reports" className="filters" aria-describedby="report-help">
        <label>
          Framework{" "}
          <select name="framework" defaultValue={framework ?? "soc2"}>
            <option value="soc2">SOC 2 Type II (Trust Services Criteria)</option>
            <option value="iso27001">ISO/IEC 27001:2022 Annex A</option>
          </select>
        </label>
        <label>
          From (UTC) <input name="from" required defaultValue={input.from ?? d.from} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" inputMode="numeric" />
        </label>
        <label>
          To (UTC, inclusive) <input name="to" required defaultValue={input.to ?? d.to} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" inputMode="numeric" />
        </label>
        <label>
          Environments <input name="environment" placeholder="production" defaultValue={input.environment} />
        </label>
        <label>
          Services <input name="service" placeholder="all" defaultValue={input.service} />
        </label>
        <label>
          Format{" "}
          <select name="format" defaultValue={input.format ?? "pdf"}>
            <option value="pdf">PDF report</option>
            <option value="zip">Evidence package (signed zip)</option>
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label>
          CSV contents{" "}
          <select name="kind" defaultValue={input.kind ?? "population"}>
            {csvKinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sample size <input type="number" name="sample" min={0} max={9999} placeholder="suggested" defaultValue={input.sample} />
        </label>
        <label>
          Confidence{" "}
          <select name="confidence" defaultValue={input.confidence ?? "95"}>
            <option value="90">90 %</option>
            <option value="95">95 %</option>
          </select>
        </label>
        <label>
          Tolerable deviation{" "}
          <select name="tolerable" defaultValue={input.tolerable ?? "10"}>
            <option value="10">10 %</option>
            <option value="5">5 %</option>
          </select>
        </label>
        <label>
          Seed <input name="seed" placeholder="new" pattern="[A-Za-z0-9_-]{1,64}" defaultValue={input.seed} />
        </label>
        <button type="submit">Prepare download</button>
      </form>
      <p id="report-help" className="muted">
        Without a sample size, the size is suggested from confidence and tolerable deviation (22, 29, 45 or 59 changes), capped at the population. Without a
        seed, one is generated and shown, so the same sample can be drawn again.
      </p>
      {error ? (
        <p role="alert" className="notice">
          {error}
        </p>
      ) : null}
      {params ? (
        <section aria-labelledby="download-heading" className="card">
          <h2 id="download-heading">Download</h2>
          <p>
            <a className="button" href={href(params)} download>
              Download {params.format === "csv" ? `${params.kind} CSV` : params.format.toUpperCase()}
            </a>
          </p>
          <p>
            Sample: {params.sampleSize} changes ({params.sampleBasis}), seed <code>{params.seed}</code>.
          </p>
          <p className="muted">
            Also:{" "}
            {csvKinds.map((k) => (
              <span key={k}>
                <a href={href(params, { format: "csv", kind: k })}>{k} CSV</a>{" "}
              </span>
            ))}
            · <a href={href(params, { format: "zip" })}>evidence package</a> ·{" "}
            {/* A JSON download, not a page: the lint rule counts app/api/v1/[...path] as pages. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a href="/api/v1/keys">signing key</a>
          </p>
        </section>
      ) : null}
      {params ? (
        <Suspense fallback={<PageLoading />}>
          <ReportPreview params={params} />
        </Suspense>
      ) : null}
    </>
  );
}
