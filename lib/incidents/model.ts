import { control, type Control } from "../policy/controls";

/** The five steps of the response to a break of immutability (CONTROLS.md, "Incidents"), in order. */
export const incidentSteps = ["identify", "fix", "document", "root-cause", "corrective-action"] as const;
export type IncidentStepName = (typeof incidentSteps)[number];

export const stepTitles: Record<IncidentStepName, string> = {
  identify: "Identify what was changed",
  fix: "Apply the change properly through the pipeline",
  document: "Document the incident",
  "root-cause": "Find why the pipeline was bypassed",
  "corrective-action": "Fix the process gap",
};

export function isStepName(value: string): value is IncidentStepName {
  return (incidentSteps as readonly string[]).includes(value);
}

/** The controls an incident record is evidence for; looked up in the catalogue so an unknown id fails at load. */
export const incidentControls: readonly Control[] = [
  ...["5.24", "5.25", "5.26", "5.27", "5.28"].map((id) => control("iso27001", id)),
  ...["CC7.3", "CC7.4", "CC7.5"].map((id) => control("soc2", id)),
];

/** Who acts: the session's person or a token's name, with where the request came from, for the audit log. */
export interface IncidentActor {
  actor: string;
  actorType: "user" | "token" | "cli";
  ip?: string | null;
}

export const HOUR_MS = 3_600_000;
/** How far before the first finding (or the opening, from scratch) "what changed before" looks. */
export const LOOKBACK_HOURS = 24;
