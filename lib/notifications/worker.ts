import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { notificationDeliveries, notificationSubscriptions, waivers } from "@/db/schema";
import { config } from "../config";
import { log } from "../log";
import { enqueueNotifications, linkTo, type News } from "./enqueue";
import { sendDelivery } from "./send";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** 30 s, 1 min, 2 min, ... capped at an hour between attempts. */
export const backoffMs = (attempts: number): number => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * MINUTE);

/** Waivers that end within 7 days are news once each (`waiver-expiring:<id>`). */
export async function enqueueExpiringWaivers(db: Database, now = new Date()): Promise<number> {
  const soon = await db
    .select()
    .from(waivers)
    .where(and(isNull(waivers.revokedAt), sql`${waivers.expiresAt} > ${now}`, lte(waivers.expiresAt, new Date(now.getTime() + 7 * DAY))));
  const news: News[] = soon.map((w) => ({
    topic: "waiver-expiring",
    messageId: `waiver-expiring:${w.id}`,
    payload: {
      text: `The waiver of ${w.ruleId} for ${w.subjectKey} expires on ${w.expiresAt.toISOString().slice(0, 10)}: fix the finding or extend the waiver.`,
      link: linkTo(config().publicUrl, "/findings"),
      waiver: { id: w.id, ruleId: w.ruleId, subjectKey: w.subjectKey, expiresAt: w.expiresAt.toISOString(), approver: w.approver },
    },
  }));
  return db.transaction((tx) => enqueueNotifications(tx, news));
}

/**
 * Sends what is due, one delivery at a time per row claimed: success marks it delivered and clears
 * the target's failing streak; a retryable failure schedules the next attempt with backoff; a
 * refusal (a 4xx other than 408/429) or a day of failures gives it up. A target that has failed
 * for a day is disabled, and the dashboard tells the admins. Survives restarts: all state is in Postgres.
 */
export async function drainNotifications(db: Database, now = new Date(), limit = 50): Promise<{ delivered: number; failed: number; retried: number }> {
  const due = await db
    .select()
    .from(notificationDeliveries)
    .innerJoin(notificationSubscriptions, eq(notificationSubscriptions.id, notificationDeliveries.subscriptionId))
    .where(and(eq(notificationDeliveries.status, "pending"), lte(notificationDeliveries.nextAttemptAt, now), eq(notificationSubscriptions.enabled, true)))
    .orderBy(notificationDeliveries.id)
    .limit(limit);
  const out = { delivered: 0, failed: 0, retried: 0 };
  for (const { notification_deliveries: d, notification_subscriptions: sub } of due) {
    // Claim it: another instance that read the same row finds its attempt count moved and skips it.
    const claimed = await db
      .update(notificationDeliveries)
      .set({ attempts: d.attempts + 1, nextAttemptAt: new Date(now.getTime() + backoffMs(d.attempts + 1)) })
      .where(and(eq(notificationDeliveries.id, d.id), eq(notificationDeliveries.attempts, d.attempts), eq(notificationDeliveries.status, "pending")))
      .returning({ id: notificationDeliveries.id });
    if (claimed.length === 0) continue;
    const result = await sendDelivery(sub, d, now);
    if (result.ok) {
      await db.update(notificationDeliveries).set({ status: "delivered", deliveredAt: now, lastStatus: result.status, lastError: null }).where(eq(notificationDeliveries.id, d.id));
      await db.update(notificationSubscriptions).set({ failingSince: null }).where(eq(notificationSubscriptions.id, sub.id));
      out.delivered++;
      continue;
    }
    const expired = now.getTime() - d.createdAt.getTime() >= DAY;
    const giveUp = !result.retry || expired;
    await db
      .update(notificationDeliveries)
      .set({ status: giveUp ? "failed" : "pending", lastStatus: result.status, lastError: giveUp && !result.retry ? `${result.error}: not retried (the target refused the request)` : result.error })
      .where(eq(notificationDeliveries.id, d.id));
    await db.update(notificationSubscriptions).set({ failingSince: sql`coalesce(${notificationSubscriptions.failingSince}, ${now})` }).where(eq(notificationSubscriptions.id, sub.id));
    if (giveUp) out.failed++;
    else out.retried++;
    log.warn("notification not delivered", { subscription: sub.id, message: d.messageId, status: result.status, error: result.error, gaveUp: giveUp });
  }
  await disableFailingTargets(db, now);
  return out;
}

/** Targets failing for a day stop being tried; their pending deliveries are given up. */
async function disableFailingTargets(db: Database, now: Date): Promise<void> {
  const failing = await db
    .update(notificationSubscriptions)
    .set({ enabled: false, disabledAt: now, disabledReason: "every delivery failed for 24 hours" })
    .where(and(eq(notificationSubscriptions.enabled, true), lte(notificationSubscriptions.failingSince, new Date(now.getTime() - DAY))))
    .returning({ id: notificationSubscriptions.id });
  if (failing.length === 0) return;
  await db
    .update(notificationDeliveries)
    .set({ status: "failed", lastError: "the target was disabled after failing for 24 hours" })
    .where(and(eq(notificationDeliveries.status, "pending"), inArray(notificationDeliveries.subscriptionId, failing.map((f) => f.id))));
  log.warn("notification targets disabled", { subscriptions: failing.map((f) => f.id) });
}

const timers = new WeakMap<Database, { timer: NodeJS.Timeout; running: Promise<unknown> }>();

/** The server's notification worker: every `intervalMs`, queue expiring waivers, then send what is due. */
export function startNotificationWorker(db: Database, intervalMs = 10_000): void {
  if (timers.has(db)) return;
  const state = { timer: setInterval(() => tick(), intervalMs), running: Promise.resolve() as Promise<unknown> };
  const tick = () => {
    state.running = state.running
      .then(async () => {
        await enqueueExpiringWaivers(db);
        await drainNotifications(db);
      })
      .catch((error: unknown) => log.error("notification worker failed", { error: error instanceof Error ? error.message : String(error) }));
  };
  state.timer.unref();
  timers.set(db, state);
}

export async function stopNotificationWorker(db: Database): Promise<void> {
  const s = timers.get(db);
  if (!s) return;
  clearInterval(s.timer);
  timers.delete(db);
  await s.running;
}
