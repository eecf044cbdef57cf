import type { Database } from "@/db/client";
import { AppError } from "../errors";
import { clusterAuditEvent } from "../events/schema";
import { ingestEvents, type EventSender } from "./events-api";
import { parseAuditEventList } from "./kubernetes";

const BATCH = 1000;

/** The `environment` query parameter the audit webhook's kubeconfig names in its server URL. */
export function auditEnvironmentParam(value: string | null): string {
  if (value === null || value === "") throw new AppError("VALIDATION", "environment: required (put ?environment=<name> in the webhook's server URL)");
  const parsed = clusterAuditEvent.shape.environment.safeParse(value);
  if (!parsed.success) throw new AppError("VALIDATION", "environment: must be a lowercase environment name");
  return parsed.data;
}

/**
 * An audit.k8s.io/v1 EventList from the API server's audit webhook backend: the events that
 * matter for drift (shells into pods, port-forwards, ephemeral containers, people's kubectl writes
 * to workloads, ConfigMaps and Secrets) become k8s_audit events, stored and judged like those the
 * CLI sends; the rest is acknowledged and not kept. Resending a batch stores nothing twice (ids are
 * the audit ids).
 */
export async function ingestAuditEventList(db: Database, json: unknown, environment: string, sender: EventSender): Promise<{ received: number; accepted: number; duplicates: number }> {
  const received = typeof json === "object" && json !== null && Array.isArray((json as { items?: unknown }).items) ? (json as { items: unknown[] }).items.length : 0;
  const events = parseAuditEventList(json, { environment });
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const body = { events: events.slice(i, i + BATCH) };
    const r = await ingestEvents(db, body, JSON.stringify(body), sender);
    accepted += r.accepted;
    duplicates += r.duplicates;
  }
  return { received, accepted, duplicates };
}
