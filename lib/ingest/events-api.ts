import type { Database } from "@/db/client";
import { AppError, describeIssues } from "../errors";
import { custodyEvent, eventsBatch, type CustodyEvent } from "../events/schema";
import { whileIngesting } from "../evaluation/queue";
import { unstorableString } from "../http/json-limits";
import { sha256Hex } from "../ledger/chain";
import type { Principal } from "../auth/request";
import { limitsOf } from "../auth/tokens";
import { assertInScope, type TokenLimits } from "../auth/token-scope";
import { principals } from "../evidence/source";
import { ingest, type PreparedDelivery } from "./ingest";
import { refuseSecretValues } from "./secret-values";

export const EVENTS_SOURCE = "events";

/** Validates a body of Custody events (one, or `{ events: [...] }`, all-or-nothing), naming every bad field. */
export function parseEventsBody(json: unknown): { events: CustodyEvent[]; batch: boolean } {
  refuseSecretValues(json);
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

/**
 * A body past the general limit (`CUSTODY_MAX_BODY_BYTES`) is taken only when it is one cluster
 * snapshot (`CUSTODY_MAX_SNAPSHOT_BYTES`): a cluster of 10,000 pods, 2,000 controllers and 3,000
 * ConfigMaps/Secrets makes ~6 MB, and a snapshot cannot be split. Anything else that large is 413.
 */
export function refuseLargeUnlessSnapshot(json: unknown, bytes: number, limit: number): void {
  if (bytes <= limit) return;
  const snapshot = typeof json === "object" && json !== null && !Array.isArray(json) && (json as { type?: unknown }).type === "snapshot";
  if (!snapshot) {
    throw new AppError("PAYLOAD_TOO_LARGE", `request body is larger than the limit of ${limit} bytes (only a single snapshot event may be larger, up to CUSTODY_MAX_SNAPSHOT_BYTES)`);
  }
}

/** Prepares validated events for the ledger: each event is one ledger entry keyed by its id, with its sender. */
export function prepareEvents(events: CustodyEvent[], rawBody: string | null, principal: string, eventsStorable = false): PreparedDelivery[] {
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
    principal,
    eventsStorable,
  }));
}

/** Who sends a body of events: the ledger records the principal; a token's scope limits what it may send. */
export interface EventSender {
  principal: string;
  scope?: TokenLimits;
}

/** The sender of an authenticated API request: a token with its limits (a person's session has none). */
export function senderOf(who: Principal): EventSender {
  if (who.kind === "token") return { principal: principals.token(who.name), scope: limitsOf(who.token) };
  return { principal: `user:${who.name}` };
}

/** Direct database access (the CLI, tests): the operator, with no scope limits. */
export const cliSender: EventSender = { principal: principals.cli };

const DEFAULT_FUTURE_SKEW_SECONDS = 300;

/**
 * An event may not claim to have happened in the future (beyond the clock skew allowed): a future
 * `occurredAt` would otherwise look "newer" than everything else sent about the same fact.
 */
export function refuseFutureEvents(events: CustodyEvent[], batch: boolean, now: Date, skewSeconds = DEFAULT_FUTURE_SKEW_SECONDS): void {
  const limit = now.getTime() + skewSeconds * 1000;
  events.forEach((e, i) => {
    if (Date.parse(e.occurredAt) > limit) {
      const field = batch ? `events.${i}.occurredAt` : "occurredAt";
      throw new AppError("VALIDATION", `${field}: ${e.occurredAt} is more than ${skewSeconds} s in the future (clock skew allowed: ${skewSeconds} s)`);
    }
  });
}

export function ingestEvents(
  db: Database,
  json: unknown,
  rawBody: string,
  sender: EventSender = cliSender,
  options: { now?: Date; futureSkewSeconds?: number } = {},
): Promise<{ accepted: number; duplicates: number }> {
  return whileIngesting(db, () => validateAndIngest(db, json, rawBody, sender, options));
}

async function validateAndIngest(
  db: Database,
  json: unknown,
  rawBody: string,
  sender: EventSender,
  options: { now?: Date; futureSkewSeconds?: number },
): Promise<{ accepted: number; duplicates: number }> {
  const { events, batch } = parseEventsBody(json);
  const ids = new Set<string>();
  for (const e of events) {
    if (ids.has(e.id)) throw new AppError("VALIDATION", `events: id "${e.id}" appears twice in this batch`);
    ids.add(e.id);
  }
  // Refusals that store nothing come first: a future date, an event outside the token's scope.
  refuseFutureEvents(events, batch, options.now ?? new Date(), options.futureSkewSeconds);
  if (sender.scope) events.forEach((e, i) => assertInScope(sender.scope as TokenLimits, e, batch ? `events.${i}` : "event"));
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
      principal: sender.principal,
    },
  ];
  const unstorable = unstorableString(json);
  if (unstorable !== null) {
    await ingest(db, rejection(unstorable));
    throw new AppError("VALIDATION", unstorable);
  }
  const result = await ingest(db, prepareEvents(events, batch ? null : rawBody, sender.principal, true), new Date(), { rejectAs: rejection });
  if (result.rejected !== null) {
    throw new AppError("VALIDATION", "the events could not be stored in the projections; the body was kept in the ledger, marked rejected");
  }
  return { accepted: result.stored.length, duplicates: result.duplicates.length };
}
