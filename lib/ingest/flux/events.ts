import { createHash } from "node:crypto";
import { AppError, describeIssues } from "../../errors";
import { type CustodyEvent, custodyEvent } from "../../events/schema";
import { name, time } from "../github/values";
import { isObject, nonEmptyString, stringMap } from "../kubernetes/json-guards";

/**
 * The revision a Flux event names: `revision` (notification-controller strips the group prefix
 * since v1.5) or `<group>/revision` (the documented examples, older controllers).
 */
function revisionOf(metadata: Record<string, string>): string | undefined {
  if (metadata.revision) return metadata.revision;
  const key = Object.keys(metadata).find((k) => k.endsWith("/revision"));
  return key ? metadata[key] : undefined;
}

/** The delivery id of a Flux event: its environment and the body's hash (Flux sends no id). */
export function fluxDeliveryId(environment: string, body: string): string {
  return `${environment}:${createHash("sha256").update(body).digest("hex").slice(0, 40)}`;
}

/** The environment a Flux delivery id names (see fluxDeliveryId). */
export const environmentOfDelivery = (deliveryId: string): string => deliveryId.slice(0, deliveryId.indexOf(":"));

/**
 * One notification-controller event (`generic` / `generic-hmac` provider body) -> a `gitops_status`
 * of the object it is about: its revision, reason, severity and message. It says nothing about
 * suspension or sync policy, so the drift rules leave it to the snapshots.
 */
export function fluxEventToStatus(payload: unknown, environment: string, deliveryId: string): CustodyEvent {
  if (!isObject(payload)) throw new AppError("VALIDATION", "body: must be a Flux event object");
  const involved = payload.involvedObject;
  if (!isObject(involved)) throw new AppError("VALIDATION", "involvedObject: required");
  const kind = name(involved.kind);
  const objectName = name(involved.name);
  if (kind === undefined || objectName === undefined) throw new AppError("VALIDATION", "involvedObject.kind and involvedObject.name: required");
  const occurredAt = time(payload.timestamp);
  if (occurredAt === undefined) throw new AppError("VALIDATION", "timestamp: required, ISO 8601");
  const parsed = custodyEvent.safeParse({
    id: `flux:${deliveryId}`,
    type: "gitops_status",
    occurredAt,
    environment,
    tool: "flux",
    namespace: name(involved.namespace) ?? "default",
    kind,
    name: objectName,
    revision: revisionOf(stringMap(payload.metadata))?.slice(0, 300),
    reason: nonEmptyString(payload.reason)?.slice(0, 200) ?? "unknown",
    severity: nonEmptyString(payload.severity)?.slice(0, 20),
    message: nonEmptyString(payload.message)?.slice(0, 5000),
  });
  if (!parsed.success) throw new AppError("VALIDATION", describeIssues(parsed.error.issues));
  return parsed.data;
}
