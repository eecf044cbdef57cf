import { bigint, bigserial, foreignKey, index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";

/** The five-step record of a break of immutability. */
export const incidents = pgTable(
  "incidents",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    title: text().notNull(),
    status: text().notNull().default("open"),
    environment: text(),
    owner: text().notNull(),
    openedBy: text().notNull(),
    openedAt: tstz().notNull(),
    closedAt: tstz(),
    /** A copy of the environment's state at opening time; later ingestion never changes it. */
    capturedState: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The fix deployment by its stable key (deployments.external_id), so a rebuild of the projections keeps the link. */
    fixDeploymentKey: text(),
    rootCause: text(),
    correctiveAction: text(),
    createdAt: createdAt(),
  },
  (t) => [
    index("incidents_status_opened_at_idx").on(t.status, t.openedAt),
    // DORA's change failure rate asks, per production deployment, for incidents of the environment opened after it.
    index("incidents_environment_opened_at_idx").on(t.environment, t.openedAt),
  ],
);

/** Findings linked to an incident, by their stable identity (rule and subject), which survives a rebuild. */
export const incidentFindings = pgTable(
  "incident_findings",
  {
    incidentId: bigint({ mode: "number" }).notNull(),
    ruleId: text().notNull(),
    subjectKey: text().notNull(),
  },
  (t) => [
    primaryKey({ name: "incident_findings_pkey", columns: [t.incidentId, t.ruleId, t.subjectKey] }),
    foreignKey({ name: "incident_findings_incident_id_fk", columns: [t.incidentId], foreignColumns: [incidents.id] }).onDelete(
      "cascade",
    ),
    index("incident_findings_rule_id_subject_key_idx").on(t.ruleId, t.subjectKey),
  ],
);

/** One of the five steps: identify, fix, document, root-cause, corrective-action. */
export const incidentSteps = pgTable(
  "incident_steps",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    incidentId: bigint({ mode: "number" }).notNull(),
    step: text().notNull(),
    notes: text().notNull(),
    evidence: jsonb().$type<Record<string, unknown>>(),
    doneBy: text().notNull(),
    doneAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: "incident_steps_incident_id_fk", columns: [t.incidentId], foreignColumns: [incidents.id] }).onDelete(
      "cascade",
    ),
    index("incident_steps_incident_id_idx").on(t.incidentId),
  ],
);

export type Incident = typeof incidents.$inferSelect;
export type IncidentStep = typeof incidentSteps.$inferSelect;
