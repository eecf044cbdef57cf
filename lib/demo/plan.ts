import { CHANGE_TITLES, DEMO_SERVICES, ENGINEERS, engineer, type Engineer } from "./catalog";
import type { Rng } from "./prng";
import { demoScenarios, type ChangeFlag, type ScenarioTiming } from "./scenarios";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** When each step of a change happened (epoch ms); null when the step never happened. */
export type Timeline = {
  commits: number[];
  opened: number;
  reviews: number[];
  staleCommit: number | null;
  merged: number;
  ciStart: number;
  built: number;
  ciEnd: number;
  rebuilt: number | null;
  development: number;
  staging: number | null;
  verified: number | null;
  rollbackTest: number | null;
  backup: number | null;
  network: number | null;
  production: number | null;
};

export type PlannedChange = {
  service: string;
  title: string;
  author: Engineer;
  approvers: Engineer[];
  commenter: Engineer | null;
  /** Who ran the production deployment when a person did; null means the pipeline. */
  productionDeployer: Engineer | null;
  stagingDeployer: Engineer | null;
  flags: ReadonlySet<ChangeFlag>;
  scenarioId: string | null;
  /** False when staging verification failed and the change stopped there. */
  verificationPassed: boolean;
  t: Timeline;
};

export type Period = { startMs: number; endMs: number; days: number };

const dayStart = (period: Period, day: number): number => Math.floor(period.startMs / DAY) * DAY + day * DAY;

/** A timing resolved to a day index inside the period, leaving the first day for the baseline. */
export function scenarioDay(period: Period, at: ScenarioTiming): number {
  const raw = "fraction" in at ? Math.round(at.fraction * period.days) : period.days - at.daysBeforeEnd;
  return Math.min(Math.max(raw, 2), period.days - 1);
}

const SCENARIO_TITLES: Partial<Record<ChangeFlag, string>> = {
  "manual-instructions": "Raise {svc} cache TTL for peak traffic",
  emergency: "Hotfix: stop double-charging on retried {svc} callbacks",
  "no-backup": "Add order-notes column to {svc} schema",
  "latest-ref": "Switch {svc} templates to the new mail provider",
};

function timeline(rng: Rng, start: number, flags: ReadonlySet<ChangeFlag>, approvals: number, passes: boolean): Timeline {
  const emergency = flags.has("emergency");
  const commits = [start];
  const extraCommits = flags.has("stale-approval") || emergency ? 0 : rng.int(0, 2);
  for (let i = 0; i < extraCommits; i++) commits.push((commits[commits.length - 1] ?? start) + rng.int(10, 60) * MINUTE);
  const opened = (commits[commits.length - 1] ?? start) + rng.int(2, 10) * MINUTE;
  let reviews = Array.from({ length: approvals }, () => opened + rng.int(15, 120) * MINUTE).sort((a, b) => a - b);
  const lastReview = reviews[reviews.length - 1] ?? opened;
  const staleCommit = flags.has("stale-approval") ? lastReview + rng.int(10, 40) * MINUTE : null;
  const merged = emergency ? opened + rng.int(4, 12) * MINUTE : (staleCommit ?? lastReview) + rng.int(5, 40) * MINUTE;
  const ciStart = merged + rng.int(1, 2) * MINUTE;
  const built = ciStart + rng.int(5, 9) * MINUTE;
  const ciEnd = built + rng.int(1, 2) * MINUTE;
  const development = ciEnd + rng.int(2, 5) * MINUTE;
  const staging = flags.has("skip-staging") ? null : development + (emergency ? rng.int(5, 10) : rng.int(15, 60)) * MINUTE;
  const verified = staging === null ? null : staging + (emergency ? rng.int(5, 10) : rng.int(10, 25)) * MINUTE;
  const rollbackTest = verified === null || flags.has("no-rollback-test") || !passes ? null : verified + rng.int(5, 15) * MINUTE;
  const rebuilt = flags.has("rebuilt-for-production") && verified !== null ? verified + rng.int(10, 20) * MINUTE : null;
  const ready = Math.max(rollbackTest ?? verified ?? development, rebuilt === null ? 0 : rebuilt + 8 * MINUTE);
  const production = passes ? ready + (emergency ? rng.int(10, 20) : rng.int(30, 120)) * MINUTE : null;
  if (emergency && production !== null) reviews = reviews.map(() => production + rng.int(8 * 60, 14 * 60) * MINUTE);
  return {
    commits, opened, reviews, staleCommit, merged, ciStart, built, ciEnd, rebuilt, development, staging, verified, rollbackTest,
    backup: production === null || flags.has("no-backup") ? null : production - rng.int(30, 60) * MINUTE,
    network: production === null ? null : production - rng.int(2, 8) * MINUTE,
    production,
  };
}

function planChange(rng: Rng, service: string, start: number, flags: ReadonlySet<ChangeFlag>, scenarioId: string | null, passes: boolean): PlannedChange {
  const author = flags.has("local-build") ? engineer("dave-r") : rng.pick(ENGINEERS);
  const others = ENGINEERS.filter((e) => e.login !== author.login);
  const approvers = flags.has("self-approval") ? [author] : rng.sample(others, rng.chance(0.35) ? 2 : 1);
  const commenter = flags.has("self-approval") || !rng.chance(0.2) ? null : rng.pick(others.filter((e) => !approvers.includes(e)));
  const byHand = others.find((e) => e.login === "carol-m") ?? rng.pick(others);
  const special = [...flags].map((f) => SCENARIO_TITLES[f]).find((t) => t !== undefined);
  const title = (special ?? rng.pick(CHANGE_TITLES)).replace("{svc}", service);
  return {
    service, title, author, approvers, commenter, flags, scenarioId, verificationPassed: passes,
    productionDeployer: flags.has("author-deploys") ? author : flags.has("human-deploy") ? byHand : null,
    stagingDeployer: flags.has("human-deploy") ? byHand : null,
    t: timeline(rng, start, flags, approvers.length, passes),
  };
}

type Quiet = { service: string | null; from: number; to: number };

/** Every change in the period, in start order: a baseline per service, the scenarios, then everyday work around them. */
export function planChanges(rng: Rng, period: Period): PlannedChange[] {
  const none: ReadonlySet<ChangeFlag> = new Set();
  const changes = DEMO_SERVICES.map((s, i) => planChange(rng, s.name, dayStart(period, 1) + 7 * HOUR + i * 35 * MINUTE, none, null, true));
  const quiet: Quiet[] = [];
  for (const scenario of demoScenarios) {
    if (scenario.kind === "drift") {
      quiet.push({ service: scenario.service, from: dayStart(period, scenarioDay(period, scenario.at) - 2), to: Infinity });
    } else if (scenario.kind === "thin-registry") {
      for (let i = 1; i < scenario.builds; i++) {
        const day = scenarioDay(period, { fraction: i / scenario.builds });
        changes.push(planChange(rng, scenario.service, dayStart(period, day) + rng.int(9 * 60, 11 * 60) * MINUTE, none, null, true));
      }
    } else if (scenario.kind === "change") {
      const day = scenarioDay(period, scenario.at);
      const start = dayStart(period, day) + rng.int(9 * 60, 10 * 60) * MINUTE;
      const change = planChange(rng, scenario.service, start, new Set(scenario.flags), scenario.id, true);
      changes.push(change);
      const to = scenario.final ? Infinity : dayStart(period, day + 2);
      quiet.push({ service: scenario.service, from: dayStart(period, day - 1), to });
      // A stale backup needs a whole day with no production deployment before it, of any service.
      if (scenario.flags.includes("no-backup") && change.t.production !== null) {
        quiet.push({ service: null, from: change.t.production - 36 * HOUR, to: change.t.production + HOUR });
      }
    }
  }
  const isQuiet = (service: string, from: number, to: number) =>
    quiet.some((q) => (q.service === null || q.service === service) && from < q.to && to > q.from);
  for (let day = 2; day < period.days; day++) {
    const weekday = new Date(dayStart(period, day)).getUTCDay();
    const count = weekday === 0 || weekday === 6 ? (rng.chance(0.3) ? 1 : 0) : rng.int(2, 6);
    for (let i = 0; i < count; i++) {
      const service = rng.weighted(DEMO_SERVICES.map((s) => [s.name, s.weight] as const));
      const change = planChange(rng, service, dayStart(period, day) + rng.int(9 * 60, 12 * 60) * MINUTE, none, null, rng.chance(0.92));
      const last = change.t.production ?? change.t.verified ?? change.t.development;
      if (!isQuiet(service, change.t.commits[0] ?? last, last + 2 * HOUR)) changes.push(change);
    }
  }
  return changes.sort((a, b) => (a.t.commits[0] ?? 0) - (b.t.commits[0] ?? 0));
}
