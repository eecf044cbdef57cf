import type { FactSource } from "@/lib/evidence/source";
import { Status } from "./status";

const labels: Record<string, string> = {
  "github-webhook": "Signed GitHub webhook",
  "gitlab-webhook": "Signed GitLab webhook",
  attestation: "Verified attestation",
  token: "API token",
  cli: "CLI",
  unknown: "Unknown source",
};

/** Where a fact came from: signed sources in green, a token's or the CLI's word in neutral, with the delivery id or token name. */
export function SourceBadge({ source }: { source: FactSource }) {
  const id = source.kind.endsWith("-webhook") ? `delivery ${source.id}` : source.id;
  return (
    <span className="source">
      <Status value={source.verified ? "pass" : "low"} label={labels[source.kind] ?? source.kind} /> <span className="muted">{id}</span>
    </span>
  );
}
