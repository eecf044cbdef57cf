import { bigint, bigserial, boolean, foreignKey, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";

/** Where admins asked Custody to tell about new findings, gate denials, expiring waivers and incidents. */
export const notificationSubscriptions = pgTable("notification_subscriptions", {
  id: bigserial({ mode: "number" }).primaryKey(),
  name: text().notNull(),
  /** `webhook` (signed per Standard Webhooks) or `slack` (an incoming webhook). */
  kind: text().notNull(),
  url: text().notNull(),
  /** `whsec_...`: signs webhook deliveries; shown once when the subscription is made. */
  signingSecret: text(),
  /** finding, gate-denial, waiver-expiring, incident. */
  topics: text().array().notNull(),
  /** Findings at or above this severity (low, medium, high, critical). */
  minSeverity: text().notNull().default("low"),
  /** Empty: every environment. */
  environments: text().array().notNull().default([]),
  enabled: boolean().notNull().default(true),
  /** Since when every delivery attempt has failed; null once one succeeds. */
  failingSince: tstz(),
  disabledAt: tstz(),
  disabledReason: text(),
  createdBy: text().notNull(),
  createdAt: createdAt(),
});

/**
 * One message for one subscription: queued in the transaction that made the news (a finding, a
 * denial), sent by the worker, retried with backoff. `messageId` is the Standard Webhooks
 * `webhook-id`: the same news is never queued twice for a target, and receivers dedupe by it.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    subscriptionId: bigint({ mode: "number" }).notNull(),
    messageId: text().notNull(),
    topic: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** pending, delivered, failed (given up: a 4xx, or retried for a day). */
    status: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: tstz().notNull().defaultNow(),
    lastStatus: integer(),
    lastError: text(),
    deliveredAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: "notification_deliveries_subscription_id_fk", columns: [t.subscriptionId], foreignColumns: [notificationSubscriptions.id] }).onDelete("cascade"),
    uniqueIndex("notification_deliveries_subscription_id_message_id_key").on(t.subscriptionId, t.messageId),
    index("notification_deliveries_status_next_attempt_at_idx").on(t.status, t.nextAttemptAt),
  ],
);

export type NotificationSubscription = typeof notificationSubscriptions.$inferSelect;
export type NotificationDelivery = typeof notificationDeliveries.$inferSelect;
