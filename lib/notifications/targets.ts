import { randomBytes } from "node:crypto";
import { desc, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import type { Database, Queryable } from "@/db/client";
import { notificationDeliveries, notificationSubscriptions, type NotificationSubscription } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { AppError, describeIssues } from "../errors";
import { severities } from "../policy/rule-types";

export const topics = ["finding", "gate-denial", "waiver-expiring", "incident"] as const;
export type Topic = (typeof topics)[number];

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A target must be https; plain http only to this machine (a local relay, a test receiver). */
export function isTargetUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  return u.protocol === "https:" || (u.protocol === "http:" && LOCAL_HOSTS.has(u.hostname));
}

export const subscriptionInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(["webhook", "slack"]),
  url: z.string().max(2000).refine(isTargetUrl, "must be an https:// URL (http:// only for localhost)"),
  topics: z.array(z.enum(topics)).min(1).max(topics.length),
  minSeverity: z.enum(severities).default("low"),
  environments: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)).max(50).default([]),
});
export type SubscriptionInput = z.input<typeof subscriptionInput>;

/** A subscription as admins see it: never its signing secret, and the URL's path hidden (Slack URLs are credentials). */
export function subscriptionView(s: NotificationSubscription) {
  const u = new URL(s.url);
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    url: `${u.protocol}//${u.host}${u.pathname.length > 1 ? "/…" : "/"}`,
    topics: s.topics,
    minSeverity: s.minSeverity,
    environments: s.environments,
    enabled: s.enabled,
    failingSince: s.failingSince?.toISOString() ?? null,
    disabledAt: s.disabledAt?.toISOString() ?? null,
    disabledReason: s.disabledReason,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

/** Adds a target. A webhook target gets its Standard Webhooks signing secret, returned here once. */
export async function createSubscription(db: Database, input: unknown, by: { actor: string; actorType: "user" | "token" | "cli"; ip?: string | null }) {
  const parsed = subscriptionInput.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", describeIssues(parsed.error.issues));
  const d = parsed.data;
  const signingSecret = d.kind === "webhook" ? `whsec_${randomBytes(32).toString("base64")}` : null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationSubscriptions)
      .values({ name: d.name, kind: d.kind, url: d.url, signingSecret, topics: d.topics, minSeverity: d.minSeverity, environments: d.environments, createdBy: by.actor })
      .returning();
    if (!row) throw new Error("subscription insert returned no row");
    await recordAudit(tx, { actor: by.actor, actorType: by.actorType, ip: by.ip ?? null, action: "notifications.subscribe", target: `subscription:${row.id}`, details: { name: d.name, kind: d.kind, topics: d.topics } });
    return { subscription: subscriptionView(row), signingSecret };
  });
}

export async function listSubscriptions(db: Queryable) {
  const rows = await db.select().from(notificationSubscriptions).orderBy(notificationSubscriptions.id);
  return rows.map(subscriptionView);
}

/** The delivery log, newest first. */
export async function deliveryLog(db: Queryable, limit = 100) {
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      subscriptionId: notificationDeliveries.subscriptionId,
      target: notificationSubscriptions.name,
      messageId: notificationDeliveries.messageId,
      topic: notificationDeliveries.topic,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastStatus: notificationDeliveries.lastStatus,
      lastError: notificationDeliveries.lastError,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
      deliveredAt: notificationDeliveries.deliveredAt,
      createdAt: notificationDeliveries.createdAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationSubscriptions, eq(notificationSubscriptions.id, notificationDeliveries.subscriptionId))
    .orderBy(desc(notificationDeliveries.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, nextAttemptAt: r.nextAttemptAt.toISOString(), deliveredAt: r.deliveredAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

/** Targets the worker disabled (they failed for a day): the dashboard tells admins. */
export async function disabledTargets(db: Queryable) {
  const rows = await db.select().from(notificationSubscriptions).where(isNotNull(notificationSubscriptions.disabledAt));
  return rows.map(subscriptionView);
}
