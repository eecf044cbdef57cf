import { linkHref } from "@/lib/http/link-url";
import { Status } from "./status";
import { Time } from "./time";
import type { DeploymentProvenance } from "@/lib/provenance/view";

/**
 * The signed build provenance of a deployed image: verified or not and why, who signed it (the
 * workflow and ref in the Fulcio certificate), the source commit, the run and the Rekor entry.
 * Self-contained, so the deployment page can place it wherever its layout wants.
 */
export function ProvenanceSection({ provenance: p, headingLevel = 2 }: { provenance: DeploymentProvenance; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? "h2" : "h3";
  const s = p.signer;
  const claim = p.signatureVerified ? "" : " (claimed, not verified)";
  // The run URL comes from the certificate (any bundle's claim): linked only when it is https.
  const runHref = linkHref(s?.runUrl);
  return (
    <section aria-labelledby="provenance-heading" className="provenance">
      <H id="provenance-heading">Build provenance</H>
      <p>
        <Status value={p.state === "verified" ? "pass" : p.state === "absent" ? "missing" : "fail"} label={p.status} />
        {" "}Policy in this environment: provenance {p.mode}.
        {p.bundles > 1 ? ` ${p.bundles} bundles are linked to this digest; the strongest is shown.` : ""}
      </p>
      {p.state === "absent" ? (
        <p className="muted">No Sigstore bundle was sent for this digest (see docs/pipelines.md, “Provenance”).</p>
      ) : (
        <dl className="facts" aria-label="Provenance facts">
          <dt>Signer identity{claim}</dt>
          <dd className="wrap">{s?.workflowPath ? <><code>{s.workflowPath}</code> at <code>{s.workflowRef ?? "?"}</code></> : <code>{s?.identity ?? "unknown"}</code>}</dd>
          <dt>Signer matches policy</dt>
          <dd>{p.signerMatches === null ? "not judged: the certificate did not verify" : p.signerMatches ? <Status value="pass" label="yes" /> : <><Status value="fail" label="no" /> {p.signerMismatches.join("; ")}</>}</dd>
          <dt>Issuer</dt><dd className="wrap">{s?.issuer ?? "unknown"}{p.state !== "verified" && s?.issuerName ? <> (certificate issued by {s.issuerName})</> : null}</dd>
          <dt>Repository</dt><dd>{s?.repository ?? "unknown"}</dd>
          <dt>Source commit</dt><dd>{s?.sourceCommit ? <code>{s.sourceCommit.slice(0, 12)}</code> : "unknown"}{s?.sourceRef ? <> on <code>{s.sourceRef}</code></> : null}</dd>
          <dt>Run</dt><dd className="wrap">{runHref ? <a href={runHref} rel="noreferrer">{runHref}</a> : (s?.runUrl ?? "unknown")}</dd>
          <dt>Runner</dt><dd>{s?.runnerEnvironment ?? "unknown"}</dd>
          <dt>Rekor log entry</dt>
          <dd>{p.logEntry ? <>index {p.logEntry.logIndex}{p.logEntry.integratedTime ? <>, integrated <Time value={p.logEntry.integratedTime} /></> : null}</> : "none (signed timestamp only)"}</dd>
          <dt>Predicate type</dt><dd className="wrap"><code>{p.predicateType ?? "not an in-toto statement"}</code></dd>
          {p.detail ? <><dt>Verifier said</dt><dd>{p.detail}</dd></> : null}
        </dl>
      )}
    </section>
  );
}
