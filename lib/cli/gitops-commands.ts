import { AppError } from "../errors";
import type { CustodyEvent } from "../events/schema";
import { applicationsToEvents } from "../ingest/argocd/applications";
import { fluxResourcesToEvents } from "../ingest/flux/resources";
import { CliError } from "./output";


/**
 * The events of a GitOps snapshot read from stdin (`snapshot argocd` / `snapshot flux`), in batches
 * the events API accepts. Notes name what was left out, for stderr.
 */
export function gitopsSnapshotBatches(kind: "argocd" | "flux", text: string, environment: string, observedAt = new Date().toISOString()): { batches: { events: CustodyEvent[] }[]; notes: string[] } {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new CliError(`stdin is not JSON (expected kubectl get ... -o json): ${(error as Error).message}`);
  }
  try {
    const { events, notes } = kind === "argocd" ? applicationsToEvents(input, { environment, observedAt }) : fluxResourcesToEvents(input, { environment, observedAt });
    const batches: { events: CustodyEvent[] }[] = [];
    for (let i = 0; i < events.length; i += 1000) batches.push({ events: events.slice(i, i + 1000) });
    return { batches, notes };
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message, 2);
    throw error;
  }
}
