import { sql } from "drizzle-orm";
import { bulkInsert } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { notificationDeliveries, notificationSubscriptions } from "@/db/schema";
import { severities } from "../policy/rule-types";
import type { Topic } from "./targets";

/** One piece of news: what happened, once (its id), and what subscriptions filter on. */
export interface News {
  topic: Topic;
  /** Stable: the same news queued twice is one delivery per target (`finding:42`, `gate-denial:dec_…`). */
  messageId: string;
  severity?: string | null;
  environment?: string | null;
  /** The JSON receivers get: `{ type, id, ... }`; Slack gets `text` and `link` made readable. */
  payload: { text: string; link: string | null } & Record<string, unknown>;
}

const rank = (s: string | null | undefined) => {
  const i = severities.indexOf((s ?? "low") as (typeof severities)[number]);
  return i < 0 ? severities.length : i;
};

/**
 * Queues the news for every enabled subscription that wants it, in the caller's transaction: the
 * news and its notifications commit together or not at all. Nothing is sent here (the worker
 * sends), so a slow or broken target never holds up ingestion or evaluation.
 */
export async function enqueueNotifications(tx: Queryable, news: News[]): Promise<number> {
  if (news.length === 0) return 0;
  const subs = await tx
    .select({ id: notificationSubscriptions.id, topics: notificationSubscriptions.topics, minSeverity: notificationSubscriptions.minSeverity, environments: notificationSubscriptions.environments })
    .from(notificationSubscriptions)
    .where(sql`${notificationSubscriptions.enabled}`);
  if (subs.length === 0) return 0;
  const rows = [];
  for (const n of news) {
    for (const s of subs) {
      if (!s.topics.includes(n.topic)) continue;
      if (n.topic === "finding" && rank(n.severity) > rank(s.minSeverity)) continue;
      if (s.environments.length > 0 && (n.environment == null || !s.environments.includes(n.environment))) continue;
      rows.push({ subscriptionId: s.id, messageId: n.messageId, topic: n.topic, payload: { ...n.payload, type: n.topic, id: n.messageId } });
    }
  }
  if (rows.length === 0) return 0;
  await bulkInsert(tx, notificationDeliveries, rows, sql`on conflict (subscription_id, message_id) do nothing`);
  return rows.length;
}

/** Where a person reads more: the page under CUSTODY_PUBLIC_URL, when it is set. */
export function linkTo(publicUrl: string | undefined, path: string): string | null {
  if (!publicUrl) return null;
  return new URL(path.replace(/^\/+/, ""), publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`).toString();
}
