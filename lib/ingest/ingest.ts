import type { Database, Transaction } from "@/db/client";
import { evaluateTouched } from "../evaluation";
import { enqueueEvaluation, requestEvaluation } from "../evaluation/queue";
import type { CustodyEvent } from "../events/schema";
import { requestCheckpoint } from "../ledger/checkpoints";
import { sourceOfEntry } from "../evidence/source";
import { sha256Hex } from "../ledger/chain";
import { appendToLedger, existingBodies, existingDeliveries, lockLedger, type LedgerStatus, type NewLedgerEntry } from "../ledger/ledger";
import { unstorableString } from "../http/json-limits";
import { observeIngest } from "../metrics";
import { applyEvents } from "../projections/apply";
import { emptyTouched, type Touched } from "../projections/touched";

/** One request's worth of evidence, verified and parsed, ready to be stored. */
export interface PreparedDelivery {
  source: string;
  eventType: string;
  deliveryId: string;
  contentType: string | null;
  body: string;
  events: CustodyEvent[];
  status: LedgerStatus;
  reason: string | null;
  /** The authenticated sender when not a signed webhook (`token:<name>`, `cli`); see lib/evidence/source.ts. */
  principal?: string | null;
  /**
   * Set when every string of `events` was already found storable (the events API scans the request's whole
   * body first): the projection then scans only the source it adds, not the events again.
   */
  eventsStorable?: boolean;
}

/**
 * Postgres text cannot hold NUL bytes: a signed body that holds them is kept base64-encoded, marked so in its
 * content type, and rejected with the reason. Returns true when it did so (the body is then not mapped).
 */
export function keepBodyWithNul(prepared: PreparedDelivery, mediaType: string | undefined): boolean {
  if (!prepared.body.includes("\u0000")) return false;
  Object.assign(prepared, {
    contentType: `${mediaType ?? "application/octet-stream"}; custody-encoding=base64`,
    body: Buffer.from(prepared.body, "utf8").toString("base64"),
    status: "rejected",
    reason: "the body holds NUL bytes, which the ledger cannot keep as text: stored base64-encoded",
  });
  return true;
}

export interface IngestResult {
  stored: string[];
  /** Already stored: the same delivery id, or (a replay) the same signed body under a new delivery id. */
  duplicates: string[];
  touched: Touched;
  /** Why the projections refused these deliveries, which the ledger then kept marked `rejected`. */
  rejected: string | null;
}

export interface IngestOptions {
  /**
   * What the ledger keeps instead when the projections refuse this request's deliveries.
   * Default: the same deliveries, marked `rejected` with the reason and projected into nothing.
   */
  rejectAs?: (reason: string) => PreparedDelivery[];
}

/** Gate checks and drift rules re-run on what the projection touched, in the caller's transaction (rebuild). */
export const runEvaluators = (tx: Transaction, touched: Touched): Promise<void> => evaluateTouched(tx, touched);

interface Request {
  deliveries: PreparedDelivery[];
  rejectAs: (reason: string) => PreparedDelivery[];
}
interface RequestOutcome {
  stored: string[];
  duplicates: string[];
  rejected: string | null;
}

const rejectEach = (deliveries: PreparedDelivery[]) => (reason: string) =>
  deliveries.map((d) => ({ ...d, events: [], status: "rejected" as const, reason }));

/**
 * Sources whose delivery id is chosen by the sender's transport (a header), not by the content:
 * the same signed body under a new delivery id is a replay, recognised by the body's SHA-256.
 */
const replayCheckedSources = new Set(["github", "gitlab"]);

/** The events of a delivery, each carrying the source of its ledger entry for the projections. */
export function sourcedEvents(d: Pick<PreparedDelivery, "source" | "deliveryId" | "principal" | "events">): CustodyEvent[] {
  const origin = sourceOfEntry(d);
  return d.events.map((e) => ({ ...e, origin }));
}

/** What the data itself caused, so keeping the delivery as rejected is the answer. */
class UnstorableError extends Error {}

/**
 * Whether the projections refused the data (kept as rejected) rather than failed for a reason of
 * their own (a deadlock, a lost connection: the request fails and its sender retries): Postgres
 * SQLSTATE classes 22 (data exception) and 23 (integrity constraint), or a value JavaScript cannot
 * handle (RangeError).
 */
function refusedTheData(error: unknown): boolean {
  if (error instanceof UnstorableError || error instanceof RangeError) return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/** The database's reason, made storable (no NUL, no lone surrogate) and short. */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `the projections refused it: ${message}`.replace(/[\u0000\ud800-\udfff]/g, "?").slice(0, 500);
}

/**
 * Ledger first: in one transaction, lock the ledger head, drop deliveries already stored, project
 * the rest, queue what they touched for evaluation, append them to the hash chain. Nothing is
 * acknowledged before the commit. The projections run in a savepoint: when they refuse a request
 * (a NUL Postgres cannot store, a number past a column's range), that request's projections are
 * rolled back alone and the ledger still keeps its body, marked `rejected` with the reason.
 * Gate checks and drift rules run after the commit (lib/evaluation/queue.ts).
 */
async function ingestTogether(db: Database, requests: Request[], receivedAt: Date): Promise<{ outcomes: RequestOutcome[]; touched: Touched }> {
  const started = performance.now();
  const all = requests.flatMap((r) => r.deliveries);
  const result = await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const seen = new Set<string>();
    const keyOf = (d: PreparedDelivery) => `${d.source}\u0000${d.deliveryId}`;
    const bodyHashes = new Map<PreparedDelivery, string>();
    const bodyKeyOf = (d: PreparedDelivery): string | null => {
      if (!replayCheckedSources.has(d.source)) return null;
      let h = bodyHashes.get(d);
      if (h === undefined) bodyHashes.set(d, (h = sha256Hex(d.body)));
      return `${d.source}\u0000body:${h}`;
    };
    const markSeen = async (deliveries: PreparedDelivery[]) => {
      const bySource = new Map<string, string[]>();
      for (const d of deliveries) bySource.set(d.source, [...(bySource.get(d.source) ?? []), d.deliveryId]);
      for (const [source, ids] of bySource) {
        for (const id of await existingDeliveries(tx, source, ids)) seen.add(`${source}\u0000${id}`);
        if (!replayCheckedSources.has(source)) continue;
        const hashes = deliveries.filter((d) => d.source === source).map((d) => (bodyKeyOf(d) ?? "").split("body:")[1] ?? "");
        for (const h of await existingBodies(tx, source, hashes)) seen.add(`${source}\u0000body:${h}`);
      }
    };
    const replays: PreparedDelivery[] = [];
    /** Splits deliveries into those already stored and fresh ones, claiming the fresh ones' ids. */
    const split = (deliveries: PreparedDelivery[]) => {
      const fresh: PreparedDelivery[] = [];
      const duplicates: PreparedDelivery[] = [];
      for (const d of deliveries) {
        const bodyKey = bodyKeyOf(d);
        if (seen.has(keyOf(d))) duplicates.push(d);
        else if (bodyKey !== null && seen.has(bodyKey)) {
          duplicates.push(d);
          replays.push(d);
        } else {
          seen.add(keyOf(d));
          if (bodyKey !== null) seen.add(bodyKey);
          fresh.push(d);
        }
      }
      return { fresh, duplicates };
    };
    await markSeen(all);
    const parts = requests.map((r) => ({ request: r, ...split(r.deliveries), rejected: null as string | null }));

    const touched = emptyTouched();
    const project = async (deliveries: PreparedDelivery[]): Promise<Touched> => {
      const t = emptyTouched();
      const events = deliveries.flatMap(sourcedEvents);
      // Refused before Postgres sees it: `text` would silently replace a lone surrogate. Events already
      // checked as part of their request's body only add their source (principal, delivery id).
      const unstorable = unstorableString(deliveries.map((d) => (d.eventsStorable ? sourceOfEntry(d) : sourcedEvents(d))));
      if (unstorable) throw new UnstorableError(unstorable);
      await tx.transaction(async (sp) => {
        await applyEvents(sp, events, t);
        await enqueueEvaluation(sp, t);
      });
      return t;
    };
    const freshEvents = parts.some((p) => p.fresh.some((d) => d.events.length > 0));
    let together = !freshEvents;
    if (freshEvents && parts.length > 1) {
      try {
        mergeTouched(touched, await project(parts.flatMap((p) => p.fresh)));
        together = true;
      } catch {
        // One request's events spoilt the group's: project each request alone below.
      }
    }
    if (!together) {
      for (const p of parts) {
        if (!p.fresh.some((d) => d.events.length > 0)) continue;
        try {
          mergeTouched(touched, await project(p.fresh));
        } catch (error) {
          if (!refusedTheData(error)) throw error;
          p.rejected = reasonOf(error);
          for (const d of p.fresh) {
            seen.delete(keyOf(d));
            const bodyKey = bodyKeyOf(d);
            if (bodyKey !== null) seen.delete(bodyKey);
          }
          const kept = p.request.rejectAs(p.rejected);
          await markSeen(kept);
          const again = split(kept);
          p.fresh = again.fresh;
          p.duplicates = again.duplicates;
        }
      }
    }
    const entries: NewLedgerEntry[] = parts.flatMap((p) =>
      p.fresh.map((d) => ({
        source: d.source,
        eventType: d.eventType,
        deliveryId: d.deliveryId,
        contentType: d.contentType,
        receivedAt,
        body: d.body,
        status: d.status,
        reason: d.reason,
        principal: d.principal ?? null,
      })),
    );
    if (entries.length > 0) await appendToLedger(tx, head, entries);
    const outcomes = parts.map((p) => ({
      stored: p.fresh.map((d) => d.deliveryId),
      duplicates: p.duplicates.map((d) => d.deliveryId),
      rejected: p.rejected,
    }));
    return { outcomes, touched, stored: parts.flatMap((p) => p.fresh), duplicates: parts.flatMap((p) => p.duplicates), replays };
  });
  if (result.stored.length > 0) {
    requestEvaluation(db);
    requestCheckpoint(db);
  }
  observeIngest(result.stored, result.duplicates, (performance.now() - started) / 1000, result.replays);
  return { outcomes: result.outcomes, touched: result.touched };
}

function mergeTouched(into: Touched, from: Touched): void {
  for (const key of ["digests", "commitShas", "pullRequests", "deploymentKeys", "environments", "services"] as const) {
    for (const v of from[key]) into[key].add(v);
  }
  for (const v of from.snapshotIds) into.snapshotIds.add(v);
  into.auditEvents += from.auditEvents;
  into.gitopsStatuses += from.gitopsStatuses;
  for (const v of from.migrationDatabases) into.migrationDatabases.add(v);
  for (const v of from.registryRepositories) into.registryRepositories.add(v);
  if (from.latestEventAt && (!into.latestEventAt || from.latestEventAt > into.latestEventAt)) into.latestEventAt = from.latestEventAt;
}

interface Pending extends Request {
  receivedAt: Date;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}
const queues = new WeakMap<Database, { pending: Pending[]; running: boolean }>();
const MAX_GROUP = 2000;

/**
 * Group commit: requests that arrive while a transaction holds the ledger lock wait and are then
 * stored together in the next one (one lock, one fsync), each answered with its own result. If a
 * group fails, each request is retried alone, so one bad request cannot fail the others.
 */
export function ingest(db: Database, deliveries: PreparedDelivery[], receivedAt = new Date(), options: IngestOptions = {}): Promise<IngestResult> {
  const rejectAs = options.rejectAs ?? rejectEach(deliveries);
  return new Promise((resolve, reject) => {
    let q = queues.get(db);
    if (!q) {
      q = { pending: [], running: false };
      queues.set(db, q);
    }
    q.pending.push({ deliveries, rejectAs, receivedAt, resolve, reject });
    if (!q.running) void drain(db, q);
  });
}

function resultOf(r: { outcomes: RequestOutcome[]; touched: Touched }, i: number): IngestResult {
  const o = r.outcomes[i] ?? { stored: [], duplicates: [], rejected: null };
  return { ...o, touched: r.touched };
}

async function drain(db: Database, q: { pending: Pending[]; running: boolean }): Promise<void> {
  q.running = true;
  try {
    while (q.pending.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (q.pending.length > 0 && (group.length === 0 || size + (q.pending[0]?.deliveries.length ?? 0) <= MAX_GROUP)) {
        const next = q.pending.shift();
        if (!next) break;
        group.push(next);
        size += next.deliveries.length;
      }
      const receivedAt = group[0]?.receivedAt ?? new Date();
      try {
        const r = await ingestTogether(db, group, receivedAt);
        group.forEach((p, i) => p.resolve(resultOf(r, i)));
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else {
          for (const p of group) {
            try {
              p.resolve(resultOf(await ingestTogether(db, [p], p.receivedAt), 0));
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    }
  } finally {
    q.running = false;
  }
}
