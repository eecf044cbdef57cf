import type { Database } from "@/db/client";
import { AppError } from "../errors";
import { whileIngesting } from "../evaluation/queue";
import { parseJson } from "../http/body";
import { fluxDeliveryId, fluxEventToStatus } from "./flux/events";
import { ingest } from "./ingest";

export const FLUX_SOURCE = "flux";

const environmentName = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Stores one Flux notification-controller event (generic webhook provider) in the ledger and
 * projects it as a GitOps status of the object. A body that is JSON but not a Flux event is
 * refused (400) and not stored: the sender authenticated with a token, not a platform signature.
 */
export function receiveFluxEvent(db: Database, body: string, environment: string | null, principal: string): Promise<{ delivery: string; status: "stored" | "duplicate" }> {
  if (!environment || !environmentName.test(environment)) {
    throw new AppError("VALIDATION", "environment: the query parameter is required (a lowercase environment name), e.g. ?environment=production");
  }
  const deliveryId = fluxDeliveryId(environment, body);
  const event = fluxEventToStatus(parseJson(body), environment, deliveryId);
  return whileIngesting(db, async () => {
    const result = await ingest(db, [
      { source: FLUX_SOURCE, eventType: "flux_event", deliveryId, contentType: "application/json", body, events: [event], status: "used", reason: null, principal },
    ]);
    if (result.rejected !== null) throw new AppError("VALIDATION", "the event could not be stored in the projections; the body was kept in the ledger, marked rejected");
    return { delivery: deliveryId, status: result.duplicates.length > 0 ? ("duplicate" as const) : ("stored" as const) };
  });
}
