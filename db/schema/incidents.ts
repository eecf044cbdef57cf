import { bigint, bigserial, foreignKey, index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { deployments } from "./deployments";
import { findings } from "./findings";

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
    fixDeploymentId: bigint({ mode: "number" }),
    rootCause: text(),
    correctiveAction: text(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "incidents_fix_deployment_id_fk",
      columns: [t.fixDeploymentId],
      foreignColumns: [deployments.id],
    }),
    index("incidents_status_opened_at_idx").on(t.status, t.openedAt),
  ],
);

export const incidentFindings = pgTable(
  "incident_findings",
  {
    incidentId: bigint({ mode: "number" }).notNull(),
    findingId: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "incident_findings_pkey", columns: [t.incidentId, t.findingId] }),
    foreignKey({ name: "incident_findings_incident_id_fk", columns: [t.incidentId], foreignColumns: [incidents.id] }).onDelete(
      "cascade",
    ),
    foreignKey({ name: "incident_findings_finding_id_fk", columns: [t.findingId], foreignColumns: [findings.id] }),
    index("incident_findings_finding_id_idx").on(t.findingId),
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
