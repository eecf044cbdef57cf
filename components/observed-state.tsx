import Link from "next/link";
import type { ObservedEnvironment, ObservedService, ObservedVerdict } from "@/lib/evidence/observed";
import { formatHours } from "./duration";
import { Status } from "./status";
import { Time } from "./time";

const verdicts: Record<ObservedVerdict, { tone: string; label: string }> = {
  matches: { tone: "pass", label: "Runs the recorded digest" },
  drift: { tone: "fail", label: "Drift: runs another digest" },
  unrecorded: { tone: "fail", label: "Running, no deployment recorded" },
  "digest-unknown": { tone: "missing", label: "Digest not reported" },
  "not-observed": { tone: "missing", label: "Recorded, not seen running" },
  "no-snapshot": { tone: "neutral", label: "No snapshot taken" },
};

/** The verdict of observed against recorded, as text and colour. */
export function VerdictBadge({ verdict }: { verdict: ObservedVerdict }) {
  const v = verdicts[verdict];
  return <Status value={v.tone} label={v.label} />;
}

/** When the snapshot was taken and how old it is, so nobody reads a stale snapshot as "now". */
export function SnapshotAge({ env }: { env: Pick<ObservedEnvironment, "snapshot" | "name"> }) {
  if (!env.snapshot) return <span className="muted">no snapshot of {env.name} yet: only the recorded deployments are known</span>;
  const hours = env.snapshot.ageSeconds / 3600;
  return (
    <span>
      snapshot <Time value={env.snapshot.observedAt} /> ({formatHours(hours)} old){hours > 24 ? <> <Status value="missing" label="stale" /></> : null}
    </span>
  );
}

/** Open findings of a workload, linked to the findings page filtered to it, with the worst severity. */
export function OpenFindingsCell({ s, environment }: { s: ObservedService; environment: string }) {
  if (s.openFindings === 0) return <span className="muted">none</span>;
  const href = `/findings?status=open&environment=${encodeURIComponent(environment)}&service=${encodeURIComponent(s.service)}`;
  return (
    <span className="inline-list">
      <Link href={href} aria-label={`${s.openFindings} open findings of ${s.service} in ${environment}`}>
        {s.openFindings} open
      </Link>
      {s.worstSeverity ? <Status value={s.worstSeverity} label={`worst: ${s.worstSeverity}`} /> : null}
      {s.openDriftFindings > 0 ? <span className="muted">{s.openDriftFindings} drift</span> : null}
    </span>
  );
}

export function IncidentsCell({ s }: { s: ObservedService }) {
  if (s.incidents.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain">
      {s.incidents.map((i) => (
        <li key={i.id}>
          <Link href={`/incidents/${i.id}`}>#{i.id} {i.title}</Link>
        </li>
      ))}
    </ul>
  );
}
