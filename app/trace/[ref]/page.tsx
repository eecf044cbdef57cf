import type { Metadata } from "next";
import Link from "next/link";
import { DeploymentChainView } from "@/components/deployment-chain-view";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { ObservedTraceView } from "@/components/observed-trace-view";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { deploymentChain } from "@/lib/dashboard/chain";
import { traceRef } from "@/lib/dashboard/trace";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Trace" };

const kinds = { pullRequest: "pull request", digest: "image digest", commit: "commit", pipelineRun: "pipeline run" } as const;

function decode(ref: string): string {
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref;
  }
}

export default async function TracePage({ params }: { params: Promise<{ ref: string }> }) {
  const ref = decode((await params).ref);
  await requireUser("evidence:read", `/trace/${encodeURIComponent(ref)}`);
  const db = await getDb();
  const result = await traceRef(db, ref);
  const furthest = [...result.hits].sort((a, b) => b.environmentRank - a.environmentRank)[0];
  const chain = furthest ? await deploymentChain(db, furthest.deploymentId) : null;
  const readAs = result.matchedAs.map((k) => kinds[k]).join(" and ");
  return (
    <>
      <h1>Trace <code>{ref}</code></h1>
      {readAs ? (
        <p className="lead">
          Read as {/^[aeiou]/.test(readAs) ? "an" : "a"} {readAs}.{result.observed ? " Where the clusters ran it comes first." : ""}
          {chain ? " The chain below is its furthest deployment; every deployment is listed after it." : ""}
        </p>
      ) : null}
      {result.observed ? <ObservedTraceView trace={result.observed} /> : null}
      {chain ? <DeploymentChainView chain={chain} headingLevel={2} /> : null}
      {!result.recognised ? (
        <Empty>
          This is not a reference Custody recognises. Paste a commit SHA (7 to 40 hex characters), an image digest
          (<code>sha256:…</code>), a pull request as <code>owner/repo#123</code>, or a pipeline run id.
        </Empty>
      ) : result.matchedAs.length === 0 ? (
        <Empty>Custody has no record of this reference.</Empty>
      ) : result.hits.length === 0 ? (
        <Empty>No deployment of this {readAs} was recorded.</Empty>
      ) : (
        <table>
          <caption className="caption-heading">
            {result.truncated ? `The newest ${result.hits.length}` : result.hits.length} deployments of this {readAs}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Deployed</th>
              <th scope="col">Service</th>
              <th scope="col">Environment</th>
              <th scope="col">Digest</th>
              <th scope="col">Result</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {result.hits.map((h) => (
              <tr key={h.deploymentId}>
                <td><Time value={h.deployedAt} /></td>
                <th scope="row">{h.service}</th>
                <td>{h.environment}</td>
                <td><Digest value={h.digest} /></td>
                <td><Status value={h.status} /></td>
                <td><Link href={`/deployments/${h.deploymentId}`}>Evidence chain</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
