import Link from "next/link";
import { Digest } from "./digest";
import { SourceBadge } from "./source-badge";
import { Empty } from "./empty";
import { EvidenceFields } from "./evidence-fields";
import { Status } from "./status";
import { Time } from "./time";
import { byResult, chainVerdict, type DeploymentChain } from "@/lib/dashboard/chain";
import { linkHref } from "@/lib/http/link-url";
import { findingHeadline } from "@/lib/policy/headline";

/** "on GitHub" or "on GitLab": where a link leads, by its host. */
const onForge = (url: unknown): string => (/^https:\/\/[^/]*gitlab/i.test(String(url)) ? "on GitLab" : "on GitHub");

const Missing = ({ what }: { what: string }) => <Status value="missing" label={`No ${what} recorded`} />;

/** A deployment's evidence chain, link by link, then its gate checks and findings. */
export function DeploymentChainView({ chain, headingLevel = 1 }: { chain: DeploymentChain; headingLevel?: 1 | 2 }) {
  const H = headingLevel === 1 ? "h2" : "h3";
  const { deployment: d, build, pipelineRun: run, commit, pullRequest: pr } = chain;
  const verdict = chainVerdict(chain.gates);
  const gates = byResult(chain.gates);
  return (
    <>
      {headingLevel === 1 ? <h1>{d.service} → {d.environment}</h1> : <h2>{d.service} → {d.environment}</h2>}
      <p className="lead">
        Deployment {d.id}, <Time value={d.deployedAt} />, by {d.actor ?? "unknown"} ({d.actorType}) · <Status value={d.status} label={`Deployment ${d.status}`} />
        {d.changeType !== "normal" ? <> · <Status value="fail" label={`${d.changeType} change`} /></> : null}
      </p>
      <p className="verdict" aria-label="Verdict">
        <Status value={verdict.tone} label={verdict.tone === "pass" ? "Compliant" : verdict.tone === "fail" ? "Not compliant" : "Incomplete"} /> {verdict.text}.
        {chain.findings.some((f) => f.status === "open") ? <> {chain.findings.filter((f) => f.status === "open").length} open findings.</> : null}
      </p>
      {chain.missing.length > 0 ? (
        <p role="note" className="notice">Missing links in this chain: {chain.missing.join(", ")}.</p>
      ) : null}
      <ol className="chain" aria-label="Evidence chain">
        <li>
          <H>Deployment</H>
          <dl className="facts">
            <dt>Image reference</dt><dd className="wrap"><code>{d.imageRef}</code></dd>
            <dt>Digest</dt>
            <dd>
              <Digest value={d.digest} />
              {d.digestInferredFrom ? <> <Status value="inferred" label="inferred by commit" /> the only image built from <code>{d.digestInferredFrom.slice(0, 12)}</code></> : null}
            </dd>
            {d.digestCandidates.length > 1 ? (
              <>
                <dt>Candidate images</dt>
                <dd className="wrap">
                  Several images were built from <code>{chain.commit?.sha.slice(0, 12) ?? "its commit"}</code>; none was picked:{" "}
                  {d.digestCandidates.map((c) => <Digest key={c} value={c} />)}
                </dd>
              </>
            ) : null}
            <dt>Manifest commit</dt><dd>{d.manifestCommitSha ? <code>{d.manifestCommitSha.slice(0, 12)}</code> : <Missing what="manifest commit" />}</dd>
            {d.description ? <><dt>Description</dt><dd>{d.description}</dd></> : null}
            <dt>Source</dt><dd><SourceBadge source={d.source} /></dd>
          </dl>
        </li>
        <li>
          <H>Image build</H>
          {build ? (
            <dl className="facts">
              <dt>Repository</dt><dd><code className="wrap">{build.repository}</code></dd>
              <dt>Tags</dt><dd className="wrap">{build.tags.map((t) => <code key={t}>{t} </code>)}</dd>
              <dt>Builder</dt><dd>{build.builder ?? "unknown"}</dd>
              <dt>Built</dt><dd><Time value={build.builtAt} /></dd>
              <dt>Source</dt><dd><SourceBadge source={build.source} /></dd>
            </dl>
          ) : <Missing what="build" />}
        </li>
        <li>
          <H>Pipeline run</H>
          {run ? (
            <dl className="facts">
              <dt>Run</dt><dd>{linkHref(run.url) ? <a href={linkHref(run.url) ?? undefined} rel="noreferrer">{run.provider} {run.runId} (attempt {run.attempt}) {onForge(run.url)}</a> : `${run.provider} ${run.runId}`}</dd>
              <dt>Workflow</dt><dd>{run.workflow ?? "unknown"}</dd>
              <dt>Actor</dt><dd>{run.actor ?? "unknown"}</dd>
              <dt>Conclusion</dt><dd>{run.conclusion ? <Status value={run.conclusion} /> : "unknown"}</dd>
              <dt>Source</dt><dd><SourceBadge source={run.source} /></dd>
            </dl>
          ) : <Missing what="pipeline run" />}
        </li>
        <li>
          <H>Commit</H>
          {commit ? (
            <dl className="facts">
              <dt>SHA</dt><dd>{linkHref(commit.url) ? <a href={linkHref(commit.url) ?? undefined} rel="noreferrer"><code>{commit.sha.slice(0, 12)}</code> {onForge(commit.url)}</a> : <code>{commit.sha}</code>}</dd>
              <dt>Message</dt><dd>{commit.message.split("\n")[0]}</dd>
              <dt>Author</dt><dd>{commit.author ?? "unknown"}</dd>
              <dt>Committed</dt><dd><Time value={commit.committedAt} /></dd>
              <dt>Source</dt><dd><SourceBadge source={commit.source} /></dd>
            </dl>
          ) : <Missing what="commit" />}
        </li>
        <li>
          <H>Pull request and approvers</H>
          {pr ? (
            <dl className="facts">
              <dt>Pull request</dt><dd>{linkHref(pr.url) ? <a href={linkHref(pr.url) ?? undefined} rel="noreferrer">{pr.repository}{/gitlab/i.test(String(pr.url)) ? "!" : "#"}{pr.number} {onForge(pr.url)}</a> : `${pr.repository}#${pr.number}`}: {pr.title}</dd>
              <dt>Author</dt><dd>{pr.author ?? "unknown"}</dd>
              <dt>Merged</dt><dd>{pr.mergedAt ? <><Time value={pr.mergedAt} /> by {pr.mergedBy ?? "unknown"}</> : "not merged"}</dd>
              <dt>Source</dt><dd><SourceBadge source={pr.source} /></dd>
              <dt>Approved by</dt>
              <dd>
                {chain.approvers.length === 0 ? <Status value="fail" label="No approval recorded" /> : (
                  <ul className="plain">{chain.approvers.map((a) => <li key={a.reviewer}>{a.reviewer}, <Time value={a.submittedAt} /> <SourceBadge source={a.source} /></li>)}</ul>
                )}
              </dd>
            </dl>
          ) : <Missing what="pull request" />}
        </li>
      </ol>
      {chain.notCounted.length > 0 ? (
        <section aria-labelledby="not-counted-heading">
          <H id="not-counted-heading">Not counted (source not accepted by the policy)</H>
          <ul className="plain">{chain.notCounted.map((n) => <li key={n}>{n}</li>)}</ul>
        </section>
      ) : null}
      <section aria-labelledby="gates-heading">
        <H id="gates-heading">Gate checks</H>
        {chain.gates.length === 0 ? <Empty>No gate check has been recorded for this deployment yet.</Empty> : (
          <table>
            <caption className="sr-only">Gate checks of deployment {d.id}, failures first, with the evidence each used</caption>
            <thead><tr><th scope="col">Check</th><th scope="col">Gate</th><th scope="col">Result</th><th scope="col">Controls</th><th scope="col">Evidence</th></tr></thead>
            <tbody>
              {gates.map((g) => (
                <tr key={g.ruleId}>
                  <th scope="row">{g.ruleTitle}<br /><code className="muted">{g.ruleId}</code></th>
                  <td>{g.gate}</td>
                  <td><Status value={g.result} /></td>
                  <td>{g.controls.join(", ")}</td>
                  <td><EvidenceFields evidence={g.evidence} collapsed={g.result === "pass"} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="findings-heading">
        <H id="findings-heading">Findings</H>
        {chain.findings.length === 0 ? <Empty>No finding was raised against this deployment.</Empty> : (
          <ul className="plain">
            {chain.findings.map((f) => (
              <li key={f.id}><Status value={f.status} /> <Link href={`/findings/${f.id}`}>{findingHeadline(f.ruleId)}</Link>: {f.summary}</li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
