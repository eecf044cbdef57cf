import type { Database } from "@/db/client";
import { AppError, describeIssues } from "../errors";
import { custodyEvent, eventsBatch, type CustodyEvent } from "../events/schema";
import { whileIngesting } from "../evaluation/queue";
import { unstorableString } from "../http/json-limits";
import { sha256Hex } from "../ledger/chain";
import { ingest, type PreparedDelivery } from "./ingest";

export const EVENTS_SOURCE = "events";

/** Validates a body of Custody events (one, or `{ events: [...] }`, all-or-nothing), naming every bad field. */
export function parseEventsBody(json: unknown): { events: CustodyEvent[]; batch: boolean } {
  const batch = typeof json === "object" && json !== null && !Array.isArray(json) && "events" in json;
  if (batch) {
    const parsed = eventsBatch.safeParse(json);
    if (!parsed.success) throw new AppError("VALIDATION", describeIssues(parsed.error.issues));
    return { events: parsed.data.events, batch: true };
  }
  const parsed = custodyEvent.safeParse(json);
  if (!parsed.success) throw new AppError("VALIDATION", describeIssues(parsed.error.issues));
  return { events: [parsed.data], batch: false };
}

/** Prepares validated events for the ledger: each event is one ledger entry keyed by its id. */
export function prepareEvents(events: CustodyEvent[], rawBody: string | null): PreparedDelivery[] {
  const single = events.length === 1 && rawBody !== null;
  return events.map((e) => ({
    source: EVENTS_SOURCE,
    eventType: e.type,
    deliveryId: e.id,
    contentType: "application/json",
    // A single event is kept byte for byte; a batch is split into one entry per event.
    body: single ? rawBody : JSON.stringify(e),
    events: [e],
    status: "used",
    reason: null,
  }));
}

export function ingestEvents(db: Database, json: unknown, rawBody: string): Promise<{ accepted: number; duplicates: number }> {
  return whileIngesting(db, () => validateAndIngest(db, json, rawBody));
}

async function validateAndIngest(db: Database, json: unknown, rawBody: string): Promise<{ accepted: number; duplicates: number }> {
  const { events, batch } = parseEventsBody(json);
  const ids = new Set<string>();
  for (const e of events) {
    if (ids.has(e.id)) throw new AppError("VALIDATION", `events: id "${e.id}" appears twice in this batch`);
    ids.add(e.id);
  }
  // Kept under an id of its own, so the producer's ids stay free for the corrected events.
  const rejection = (reason: string): PreparedDelivery[] => [
    {
      source: EVENTS_SOURCE,
      eventType: batch ? "batch" : (events[0]?.type ?? "unknown"),
      deliveryId: `rejected:${sha256Hex(rawBody)}`,
      contentType: "application/json",
      body: rawBody,
      events: [],
      status: "rejected",
      reason,
    },
  ];
  const unstorable = unstorableString(json);
  if (unstorable !== null) {
    await ingest(db, rejection(unstorable));
    throw new AppError("VALIDATION", unstorable);
  }
  const result = await ingest(db, prepareEvents(events, batch ? null : rawBody), new Date(), { rejectAs: rejection });
  if (result.rejected !== null) {
    throw new AppError("VALIDATION", "the events could not be stored in the projections; the body was kept in the ledger, marked rejected");
  }
  return { accepted: result.stored.length, duplicates: result.duplicates.length };
}
