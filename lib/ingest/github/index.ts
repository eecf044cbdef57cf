import { type WebhookEventMap } from "@octokit/webhooks-types";
import { AppError, describeIssues } from "../../errors";
import { type CustodyEvent, custodyEvent } from "../../events/schema";
import { mapCheckRun, mapWorkflowJob } from "./check-run";
import { mapDeployment, mapDeploymentStatus } from "./deployment";
import { Fields, isRecord } from "./fields";
import { mapPackage } from "./package";
import { mapPullRequest, mapPullRequestReview } from "./pull-request";
import { mapPush } from "./push";
import { type Projection } from "./types";
import { type Context } from "./values";
import { mapWorkflowRun } from "./workflow-run";

export type GithubMapping =
  | { status: "used"; events: CustodyEvent[]; notes?: string[] }
  | { status: "not-used"; reason: string };

type Mapper = (payload: Record<string, unknown>, ctx: Context) => Projection;

function mapper<N extends keyof WebhookEventMap>(map: (payload: Fields<WebhookEventMap[N]>, ctx: Context) => Projection): Mapper {
  return (payload, ctx) => map(Fields.of<WebhookEventMap[N]>(payload, ""), ctx);
}

const mappers: Partial<Record<string, Mapper>> = {
  push: mapper<"push">(mapPush),
  pull_request: mapper<"pull_request">(mapPullRequest),
  pull_request_review: mapper<"pull_request_review">(mapPullRequestReview),
  workflow_run: mapper<"workflow_run">(mapWorkflowRun),
  workflow_job: mapper<"workflow_job">(mapWorkflowJob),
  check_run: mapper<"check_run">(mapCheckRun),
  deployment: mapper<"deployment">(mapDeployment),
  deployment_status: mapper<"deployment_status">(mapDeploymentStatus),
  package: mapper<"package">((p, ctx) => mapPackage(p, "package", ctx)),
  registry_package: mapper<"registry_package">((p, ctx) => mapPackage(p, "registry_package", ctx)),
};

const MAX_DELIVERY_ID = 180;

/**
 * Maps one GitHub webhook delivery (already verified) to Custody events. Pure and deterministic:
 * event ids are `github:<deliveryId>:<n>`, times come from the payload (else `receivedAt`).
 * Throws only `AppError("VALIDATION")`, naming the bad field, for a payload it cannot read;
 * every event it returns has passed `custodyEvent`; sub-events that would not are left out and
 * explained in `notes` (or in `reason` when nothing is left).
 */
export function mapGithubDelivery(
  eventName: string,
  deliveryId: string,
  payload: unknown,
  ctx: Context = {},
): GithubMapping {
  try {
    return mapDelivery(eventName, deliveryId, payload, ctx);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A mapper bug must not turn a delivery into a 500: the caller keeps it, rejected, for replay.
    throw new AppError("VALIDATION", `payload could not be mapped (${error instanceof Error ? error.message : String(error)})`);
  }
}

function mapDelivery(eventName: string, deliveryId: string, payload: unknown, ctx: Context): GithubMapping {
  if (typeof eventName !== "string") throw new AppError("VALIDATION", "eventName: must be a string");
  if (eventName === "ping") return { status: "not-used", reason: "ping" };
  const map = Object.hasOwn(mappers, eventName) ? mappers[eventName] : undefined;
  if (map === undefined) return { status: "not-used", reason: `event type ${eventName.slice(0, 100)} is not used` };
  if (!isRecord(payload)) throw new AppError("VALIDATION", "payload: must be a JSON object");
  if (typeof deliveryId !== "string" || deliveryId.length === 0 || deliveryId.length > MAX_DELIVERY_ID) {
    throw new AppError("VALIDATION", `deliveryId: must be 1 to ${MAX_DELIVERY_ID} characters`);
  }

  const projection = map(payload, ctx);
  if ("notUsed" in projection) return { status: "not-used", reason: projection.notUsed };

  const notes = [...projection.notes];
  const events: CustodyEvent[] = [];
  projection.drafts.forEach((draft, n) => {
    const parsed = custodyEvent.safeParse({ ...draft, id: `github:${deliveryId}:${n}` });
    if (parsed.success) events.push(parsed.data);
    else notes.push(`${draft.type} left out: ${describeIssues(parsed.error.issues)}`);
  });
  if (events.length === 0) {
    return { status: "not-used", reason: notes.length > 0 ? notes.join("; ") : `${eventName} delivery has nothing to record` };
  }
  return notes.length > 0 ? { status: "used", events, notes } : { status: "used", events };
}
