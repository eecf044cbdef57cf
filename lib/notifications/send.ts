import { IncomingWebhook } from "@slack/webhook";
import { Webhook } from "standardwebhooks";
import type { NotificationDelivery, NotificationSubscription } from "@/db/schema";

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string; retry: boolean };

const TIMEOUT_MS = 10_000;
/** 408 and 429 say "later"; any other 4xx says the request itself is wrong, and will stay wrong. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/** A webhook target: the JSON payload, signed per Standard Webhooks with the subscription's secret. */
async function sendWebhook(sub: NotificationSubscription, d: NotificationDelivery, now: Date): Promise<SendResult> {
  const body = JSON.stringify(d.payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Custody-Notifications/1", "webhook-id": d.messageId, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)) };
  if (sub.signingSecret) headers["webhook-signature"] = new Webhook(sub.signingSecret).sign(d.messageId, now, body);
  try {
    const res = await fetch(sub.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}`, retry: retryable(res.status) };
  } catch (error) {
    return { ok: false, status: null, error: errorText(error), retry: true };
  }
}

/** A Slack incoming webhook: the news as one readable line with its link. */
async function sendSlack(sub: NotificationSubscription, d: NotificationDelivery): Promise<SendResult> {
  const text = String(d.payload.text ?? d.messageId);
  const link = typeof d.payload.link === "string" ? d.payload.link : null;
  const hook = new IncomingWebhook(sub.url, { timeout: TIMEOUT_MS, retryConfig: { retries: 0 } });
  try {
    await hook.send({
      text: link ? `${text} <${link}|Open in Custody>` : text,
      unfurl_links: false,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: link ? `${escapeSlack(text)}\n<${link}|Open in Custody>` : escapeSlack(text) } }],
    });
    return { ok: true, status: 200 };
  } catch (error) {
    const status = (error as { statusCode?: unknown; original?: { statusCode?: unknown } }).statusCode ?? (error as { original?: { statusCode?: unknown } }).original?.statusCode;
    if (typeof status === "number") return { ok: false, status, error: `Slack answered HTTP ${status}`, retry: retryable(status) };
    return { ok: false, status: null, error: errorText(error), retry: true };
  }
}

const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** The error's name and message only: never a URL (a Slack URL is a credential) nor a stack. */
const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/https?:\/\/\S+/g, "<url>").slice(0, 300);

export function sendDelivery(sub: NotificationSubscription, d: NotificationDelivery, now = new Date()): Promise<SendResult> {
  return sub.kind === "slack" ? sendSlack(sub, d) : sendWebhook(sub, d, now);
}
