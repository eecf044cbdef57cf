import { createHash, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { Database } from "@/db/client";
import { config } from "../config";
import { AppError } from "../errors";
import { whileIngesting } from "../evaluation/queue";
import { activePolicy } from "../policy/active";
import type { GitlabWebhookSecret } from "../policy/settings";
import { isRecord } from "./github/fields";
import { decodePayload } from "./github-webhook";
import { gitlabEventType, mapGitlabDelivery } from "./gitlab";
import { ingest, keepBodyWithNul, type PreparedDelivery } from "./ingest";

export const GITLAB_SOURCE = "gitlab";

export interface GitlabRequest {
  /** `X-Gitlab-Token`: the secret token configured on the hook, sent as is. */
  token: string | null;
  event: string | null;
  /** `X-Gitlab-Instance`, e.g. https://gitlab.com. */
  instance: string | null;
  /** `Idempotency-Key`, else `webhook-id`, else `X-Gitlab-Event-UUID`. */
  deliveryId: string | null;
  /** Standard Webhooks headers, sent when the hook has a signing token. */
  signature: { id: string | null; timestamp: string | null; signature: string | null };
  contentType: string | null;
  body: string;
}

/** A secret the hook may present, and which projects it may speak for. */
interface Credential {
  token: string;
  signingToken: string | undefined;
  instance: string | undefined;
  group: string | undefined;
  label: string;
}

/** GITLAB_WEBHOOK_SECRET (any project) plus the policy file's secrets per instance or group. */
export function gitlabCredentials(
  env: Record<string, string | undefined> = process.env,
  entries: readonly GitlabWebhookSecret[] = activePolicy().gitlabWebhooks,
): Credential[] {
  const out: Credential[] = [];
  const c = config().gitlab;
  if (c.webhookSecret) out.push({ token: c.webhookSecret, signingToken: c.signingToken, instance: undefined, group: undefined, label: "GITLAB_WEBHOOK_SECRET" });
  for (const e of entries) {
    const token = env[e.tokenEnv];
    if (!token) continue;
    const signingToken = e.signingTokenEnv ? env[e.signingTokenEnv] : undefined;
    out.push({ token, signingToken: signingToken || undefined, instance: e.instance, group: e.group, label: e.tokenEnv });
  }
  return out;
}

const digestOf = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Every credential whose token equals the one sent; each comparison in constant time, none skipped. */
function matching(token: string, credentials: Credential[]): Credential[] {
  const sent = digestOf(token);
  return credentials.filter((c) => timingSafeEqual(sent, digestOf(c.token)));
}

const origin = (u: string): string | null => {
  try {
    return new URL(u).origin.toLowerCase();
  } catch {
    return null;
  }
};

/** Whether a credential may speak for this instance and project. */
function covers(c: Credential, instance: string | null, projectPath: string | null): boolean {
  if (c.instance !== undefined && (instance === null || origin(instance) !== origin(c.instance))) return false;
  if (c.group !== undefined) {
    const group = c.group.toLowerCase();
    const path = projectPath?.toLowerCase() ?? "";
    if (!path.startsWith(`${group}/`)) return false;
  }
  return true;
}

function projectPathOf(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  const project = payload.project;
  if (isRecord(project) && typeof project.path_with_namespace === "string") return project.path_with_namespace;
  return typeof payload.project_name === "string" ? payload.project_name.replace(/\s+/g, "") : null;
}

/**
 * Authenticates a GitLab delivery (the token in constant time; the Standard Webhooks signature when
 * the matching secret has a signing token), then stores it whatever its content: a delivery Custody
 * cannot use is kept, marked with the reason. Nothing is stored for a delivery that fails either check.
 */
export function receiveGitlabDelivery(db: Database, req: GitlabRequest, credentials = gitlabCredentials()): Promise<{ delivery: string; status: "stored" | "duplicate" }> {
  return whileIngesting(db, () => receive(db, req, credentials));
}

async function receive(db: Database, req: GitlabRequest, credentials: Credential[]) {
  if (credentials.length === 0) throw new AppError("UNAVAILABLE", "GitLab webhooks are not configured: set GITLAB_WEBHOOK_SECRET");
  if (!req.token) throw new AppError("UNAUTHENTICATED", "missing X-Gitlab-Token header");
  const candidates = matching(req.token, credentials);
  if (candidates.length === 0) throw new AppError("BAD_SIGNATURE", "X-Gitlab-Token does not match a configured secret");

  const mediaType = (req.contentType ?? "application/json").split(";")[0]?.trim().toLowerCase();
  const payload = decodePayload(req.body, mediaType);
  const path = payload.ok ? projectPathOf(payload.value) : null;
  const credential = candidates.find((c) => covers(c, req.instance, path));
  if (credential === undefined) throw new AppError("BAD_SIGNATURE", "X-Gitlab-Token is not the secret of this GitLab instance or group");
  verifySignature(credential, req);

  const event = req.event?.trim();
  if (!event || !/^[A-Za-z ]{1,64}$/.test(event)) throw new AppError("VALIDATION", "X-Gitlab-Event: missing or not an event name");
  const headerId = req.deliveryId?.trim();
  if (headerId !== undefined && headerId.length > 180) throw new AppError("VALIDATION", "Idempotency-Key / X-Gitlab-Event-UUID: too long");
  // Old GitLab versions send no delivery id: the body's hash stands in (a resend is then a duplicate).
  const deliveryId = headerId || `sha256:${createHash("sha256").update(req.body).digest("hex")}`;
  const receivedAt = new Date();

  const prepared: PreparedDelivery = {
    source: GITLAB_SOURCE,
    eventType: gitlabEventType(event),
    deliveryId,
    contentType: mediaType ?? null,
    body: req.body,
    events: [],
    status: "used",
    reason: null,
  };
  if (keepBodyWithNul(prepared, mediaType)) {
    // Kept as evidence, not mapped: see keepBodyWithNul.
  } else if (payload.ok) {
    try {
      const mapped = mapGitlabDelivery(deliveryId, payload.value, { receivedAt: receivedAt.toISOString() });
      if (mapped.status === "used") prepared.events = mapped.events;
      else Object.assign(prepared, { status: "not-used", reason: mapped.reason });
    } catch (error) {
      const reason = error instanceof AppError ? error.message : `the GitLab mapping failed: ${(error as Error).name}`;
      Object.assign(prepared, { status: "rejected", reason });
    }
  } else {
    Object.assign(prepared, { status: "rejected", reason: payload.reason });
  }
  const result = await ingest(db, [prepared], receivedAt);
  return { delivery: deliveryId, status: result.duplicates.length > 0 ? ("duplicate" as const) : ("stored" as const) };
}

/**
 * With a signing token configured, the Standard Webhooks signature is required: a sender that signs
 * always signs, so a delivery without one is a downgrade, not an old GitLab.
 */
function verifySignature(c: Credential, req: GitlabRequest): void {
  if (c.signingToken === undefined) return;
  const { id, timestamp, signature } = req.signature;
  if (!id || !timestamp || !signature) throw new AppError("BAD_SIGNATURE", "this GitLab secret has a signing token: webhook-id, webhook-timestamp and webhook-signature are required");
  try {
    new Webhook(c.signingToken).verify(req.body, { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature });
  } catch {
    throw new AppError("BAD_SIGNATURE", "webhook-signature does not match the body and the signing token (or webhook-timestamp is more than 5 minutes off)");
  }
}
