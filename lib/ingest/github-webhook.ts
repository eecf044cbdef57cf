import { verify } from "@octokit/webhooks-methods";
import type { Database } from "@/db/client";
import { AppError } from "../errors";
import { mapGithubDelivery } from "./github";
import { whileIngesting } from "../evaluation/queue";
import { MAX_JSON_DEPTH, nestingExceeds } from "../http/json-limits";
import { ingest, keepBodyWithNul, type PreparedDelivery } from "./ingest";

export const GITHUB_SOURCE = "github";

export interface GithubRequest {
  event: string | null;
  deliveryId: string | null;
  signature: string | null;
  contentType: string | null;
  body: string;
}

/**
 * Verifies (HMAC-SHA256, constant time, by @octokit/webhooks-methods), then stores the delivery
 * whatever its content: a signed delivery Custody cannot use is kept, marked with the reason.
 */
export function receiveGithubDelivery(db: Database, secret: string, req: GithubRequest): Promise<{ delivery: string; status: "stored" | "duplicate" }> {
  return whileIngesting(db, () => receive(db, secret, req));
}

async function receive(db: Database, secret: string, req: GithubRequest): Promise<{ delivery: string; status: "stored" | "duplicate" }> {
  if (!req.signature) throw new AppError("BAD_SIGNATURE", "missing X-Hub-Signature-256 header");
  let valid = false;
  try {
    valid = await verify(secret, req.body, req.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AppError("BAD_SIGNATURE", "X-Hub-Signature-256 does not match the body and the configured secret");
  const event = req.event?.trim();
  const deliveryId = req.deliveryId?.trim();
  if (!event || !/^[a-z_]{1,64}$/.test(event)) throw new AppError("VALIDATION", "X-GitHub-Event: missing or not an event name");
  if (!deliveryId || deliveryId.length > 200) throw new AppError("VALIDATION", "X-GitHub-Delivery: missing or too long");

  const mediaType = (req.contentType ?? "application/json").split(";")[0]?.trim().toLowerCase();
  const prepared: PreparedDelivery = {
    source: GITHUB_SOURCE,
    eventType: event,
    deliveryId,
    contentType: mediaType ?? null,
    body: req.body,
    events: [],
    status: "used",
    reason: null,
  };
  const payload = decodePayload(req.body, mediaType);
  if (keepBodyWithNul(prepared, mediaType)) {
    // Kept as evidence, not mapped: see keepBodyWithNul.
  } else if (payload.ok) {
    try {
      const mapped = mapGithubDelivery(event, deliveryId, payload.value);
      if (mapped.status === "used") prepared.events = mapped.events;
      else Object.assign(prepared, { status: "not-used", reason: mapped.reason });
    } catch (error) {
      // Kept whatever went wrong: a signed delivery is evidence even when it cannot be mapped.
      const reason = error instanceof AppError ? error.message : `the GitHub mapping failed: ${(error as Error).name}`;
      Object.assign(prepared, { status: "rejected", reason });
    }
  } else {
    Object.assign(prepared, { status: "rejected", reason: payload.reason });
  }
  const result = await ingest(db, [prepared]);
  return { delivery: deliveryId, status: result.duplicates.length > 0 ? "duplicate" : "stored" };
}

export function decodePayload(body: string, mediaType: string | undefined): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text = body;
  if (mediaType === "application/x-www-form-urlencoded") {
    const payload = new URLSearchParams(body).get("payload");
    if (payload === null) return { ok: false, reason: "form-encoded delivery without a payload field" };
    text = payload;
  } else if (mediaType !== "application/json") {
    return { ok: false, reason: `unsupported content type ${mediaType ?? "(none)"}` };
  }
  if (nestingExceeds(text)) return { ok: false, reason: `signed but JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `signed but not JSON: ${(error as Error).message}` };
  }
}
