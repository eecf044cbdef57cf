import { linkHref } from "@/lib/http/link-url";
import { Digest } from "./digest";
import { JsonBlock } from "./json-block";
import { Time } from "./time";

/** "mergeCommitSha" → "Merge commit sha": evidence keys as an auditor reads them. */
function label(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function Value({ v }: { v: unknown }) {
  if (v === null || v === undefined) return <span className="muted">none</span>;
  if (typeof v === "boolean") return <>{v ? "yes" : "no"}</>;
  if (typeof v === "number") return <>{v}</>;
  if (typeof v === "string") {
    if (/^sha256:[0-9a-f]{64}$/.test(v)) return <Digest value={v} />;
    if (/^[0-9a-f]{40}$/.test(v)) return <code title={v}>{v.slice(0, 12)}</code>;
    const href = linkHref(v);
    if (href) return <a href={href} rel="noreferrer">{v.replace(/^https?:\/\//, "")}</a>;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) return <Time value={v} />;
    return <span className="wrap">{v}</span>;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return <span className="muted">none</span>;
    if (v.every((x) => typeof x !== "object" || x === null)) return <>{v.map((x, i) => <span key={i}>{i > 0 ? ", " : ""}<Value v={x} /></span>)}</>;
    return <ul className="plain">{v.map((x, i) => <li key={i}><Value v={x} /></li>)}</ul>;
  }
  return <EvidenceFields evidence={v as Record<string, unknown>} nested />;
}

/**
 * A check's evidence as labelled fields (digests, SHAs, links and times formatted), raw JSON one click
 * away. `collapsed` (a passed check) shows only the rule's sentence, the fields one click away.
 */
export function EvidenceFields({ evidence, nested = false, collapsed = false }: { evidence: Record<string, unknown>; nested?: boolean; collapsed?: boolean }) {
  // The rule's own sentence first, then the facts it rests on.
  const entries = Object.entries(evidence).sort(([a], [b]) => Number(b === "reason") - Number(a === "reason"));
  const fields = entries.length === 0 ? <span className="muted">no evidence fields</span> : (
    <dl className="facts evidence">
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt>{label(k)}</dt>
          <dd><Value v={v} /></dd>
        </div>
      ))}
    </dl>
  );
  if (nested) return fields;
  const raw = (
    <details>
      <summary>Raw JSON</summary>
      <JsonBlock value={evidence} label="Raw JSON" />
    </details>
  );
  if (collapsed) {
    const reason = typeof evidence.reason === "string" ? evidence.reason : null;
    return (
      <>
        {reason ? <p className="evidence-reason">{reason}</p> : null}
        <details>
          <summary>Evidence ({entries.length} {entries.length === 1 ? "field" : "fields"})</summary>
          {fields}
          {raw}
        </details>
      </>
    );
  }
  return (
    <>
      {fields}
      {raw}
    </>
  );
}
