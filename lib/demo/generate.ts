import type { CustodyEvent } from "@/lib/events/schema";
import { repositoryOf } from "./catalog";
import { emitChangeSource } from "./change-events";
import { emitDrift } from "./drift";
import { emitDatabasesAndRegistries } from "./databases";
import { emitGitops } from "./gitops";
import { DemoIds } from "./ids";
import { DAY, planChanges, type Period } from "./plan";
import { Rng } from "./prng";
import { emitRelease, type RunningDigests } from "./release-events";
import { emitSnapshots } from "./snapshots";

export const DEMO_DEFAULT_SEED = 27_112_026;
export const DEMO_DEFAULT_DAYS = 90;
export const DEMO_DEFAULT_END = "2026-11-27T12:00:00.000Z";
/** Shorter periods leave no room to place every scenario on its own days. */
export const DEMO_MIN_DAYS = 30;

export type DemoOptions = { seed?: number; days?: number; end?: Date };

/**
 * The demo organisation's history as Custody events, sorted by occurredAt. Pure: the same options
 * always give the same events, so loading the demo twice is a no-op and a ledger replay reproduces it.
 */
export function generateDemoEvents(opts: DemoOptions = {}): CustodyEvent[] {
  const seed = Math.trunc(opts.seed ?? DEMO_DEFAULT_SEED) >>> 0;
  const days = opts.days ?? DEMO_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < DEMO_MIN_DAYS || days > 3650) {
    throw new RangeError(`days must be a whole number from ${DEMO_MIN_DAYS} to 3650`);
  }
  const endMs = (opts.end ?? new Date(DEMO_DEFAULT_END)).getTime();
  if (!Number.isFinite(endMs)) throw new RangeError("end must be a valid date");
  const period: Period = { startMs: endMs - days * DAY, endMs, days };

  const rng = new Rng(seed);
  const emit = { ids: new DemoIds(seed), rng };
  const events: CustodyEvent[] = [];
  const nextPr = new Map<string, number>();
  const running: RunningDigests = new Map();
  for (const change of planChanges(rng, period)) {
    const repository = repositoryOf(change.service);
    const prNumber = nextPr.get(repository) ?? rng.int(120, 900);
    nextPr.set(repository, prNumber + rng.int(1, 4));
    const source = emitChangeSource(emit, change, prNumber);
    events.push(...source.events, ...emitRelease(emit, change, source, running));
  }
  const drift = emitDrift(emit, period, (environment, service) => running.get(`${environment}/${service}`));
  events.push(...drift.events, ...emitSnapshots(emit, period, events, drift.ops), ...emitGitops(emit, period));
  events.push(...emitDatabasesAndRegistries(emit, period, events));
  // Stable sort: events at the same instant keep the causal order they were emitted in.
  return events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
}
