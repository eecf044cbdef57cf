import Link from "next/link";
import { Digest } from "@/components/digest";
import { Empty } from "@/components/empty";
import { Time } from "@/components/time";
import type { IncidentDetail } from "@/lib/incidents/detail";

type Workload = { service: string; digest: string | null; missing?: string[]; deployment?: { id?: number; externalId?: string }; observed?: { digest: string | null }[] };

const workloadsOf = (state: Record<string, unknown>): Workload[] => (Array.isArray(state.workloads) ? (state.workloads as Workload[]) : []);

/** The frozen copy: what each service's records said and what the cluster really ran when the incident was opened. */
export function CapturedState({ d }: { d: IncidentDetail }) {
  const workloads = workloadsOf(d.capturedState);
  const snapshot = d.capturedState.snapshot as { observedAt?: string } | null | undefined;
  return (
    <section aria-labelledby="state-heading">
      <h2 id="state-heading">Production state when the incident was opened</h2>
      <p className="muted">
        Captured <Time value={typeof d.capturedState.at === "string" ? d.capturedState.at : d.openedAt} />; a copy, never changed by later
        ingestion. {snapshot?.observedAt ? <>Observed by the snapshot of <Time value={snapshot.observedAt} />.</> : "No snapshot had been taken."}
      </p>
      {workloads.length === 0 ? <Empty>No workload had been deployed there.</Empty> : (
        <table>
          <caption className="sr-only">Workloads at opening</caption>
          <thead><tr><th scope="col">Service</th><th scope="col">Deployed digest</th><th scope="col">Running digest</th><th scope="col">Missing evidence</th></tr></thead>
          <tbody>
            {workloads.map((w) => {
              const running = w.observed?.map((o) => o.digest) ?? [];
              const differs = running.some((r) => r !== w.digest);
              return (
                <tr key={w.service} className={differs ? "row-alert" : undefined}>
                  <th scope="row">{w.service}</th>
                  <td><Digest value={w.digest} /></td>
                  <td>{running.length === 0 ? <span className="muted">not observed</span> : running.map((r, i) => <Digest key={i} value={r} />)}{differs ? " (differs)" : ""}</td>
                  <td>{w.missing && w.missing.length > 0 ? w.missing.join(", ") : "none"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

const refLink = (ref: string) => {
  const [kind, id] = ref.split(":");
  if (kind === "deployment") return `/deployments/${id}`;
  if (kind === "finding") return `/findings/${id}`;
  return null;
};

export function ChangesBefore({ d }: { d: IncidentDetail }) {
  const { events } = d.changesBefore;
  return (
    <section aria-labelledby="changes-heading">
      <h2 id="changes-heading">What changed before</h2>
      <p className="muted">
        Everything recorded in {d.environment ?? "the environment"} from <Time value={d.changesBefore.from} /> (24 h before the first finding) to the opening.
      </p>
      {events.length === 0 ? <Empty>Nothing was recorded in that window.</Empty> : (
        <table>
          <caption className="sr-only">Changes before the incident, oldest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Change</th><th scope="col">Who</th></tr></thead>
          <tbody>
            {events.map((e) => {
              const href = refLink(e.ref);
              return (
                <tr key={e.ref}>
                  <td><Time value={e.at} /></td>
                  <td>{e.kind}</td>
                  <td>{href ? <Link href={href}>{e.summary}</Link> : e.summary}</td>
                  <td>{e.actor ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Timeline({ d }: { d: IncidentDetail }) {
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ol className="plain">
        {d.timeline.map((t, i) => (
          <li key={i}><Time value={t.at} />: {t.what}{t.who ? ` (${t.who})` : ""}</li>
        ))}
      </ol>
    </section>
  );
}

export function Steps({ d }: { d: IncidentDetail }) {
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      {d.steps.length === 0 ? <Empty>No step has been recorded yet.</Empty> : (
        <table>
          <caption className="sr-only">Recorded steps</caption>
          <thead><tr><th scope="col">Step</th><th scope="col">Notes</th><th scope="col">Evidence</th><th scope="col">By</th><th scope="col">When</th></tr></thead>
          <tbody>
            {d.steps.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.step}</th>
                <td>{s.notes}</td>
                <td>{s.evidence && Object.keys(s.evidence).length > 0 ? <code>{JSON.stringify(s.evidence)}</code> : "—"}</td>
                <td>{s.doneBy}</td>
                <td><Time value={s.doneAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
