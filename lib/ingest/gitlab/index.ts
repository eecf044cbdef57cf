import { AppError, describeIssues } from "../../errors";
import { type CustodyEvent, custodyEvent } from "../../events/schema";
import { isRecord } from "../github/fields";
import { type Projection } from "../github/types";
import { type Context } from "../github/values";
import { mapDeployment } from "./deployment";
import { mapMergeRequest } from "./merge-request";
import { mapJob, mapPipeline } from "./pipeline";
import { mapPush, mapRelease, mapTagPush } from "./push";
import { obj, type Obj } from "./values";

export type GitlabMapping = { status: "used"; events: CustodyEvent[]; notes?: string[] } | { status: "not-used"; reason: string };

/** By `object_kind` (the same for project, group and system hooks); `build` is GitLab's name for a job. */
const mappers: Partial<Record<string, (payload: Obj, ctx: Context) => Projection>> = {
  push: mapPush,
  tag_push: mapTagPush,
  merge_request: mapMergeRequest,
  pipeline: mapPipeline,
  build: mapJob,
  deployment: mapDeployment,
  release: mapRelease,
};

/** `Merge Request Hook` -> `merge_request_hook`: how the ledger names a GitLab event type. */
export function gitlabEventType(header: string): string {
  return header.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/**
 * Maps one authenticated GitLab delivery to Custody events. Pure and deterministic given `ctx`
 * (the receipt time is the last resort for a time: tag pushes carry none): event ids are
 * `gitlab:<deliveryId>:<n>`. Throws only VALIDATION AppErrors naming the field it could not read.
 */
export function mapGitlabDelivery(deliveryId: string, payload: unknown, ctx: Context = {}): GitlabMapping {
  try {
    if (!isRecord(payload)) throw new AppError("VALIDATION", "payload: must be a JSON object");
    const kind = typeof payload.object_kind === "string" ? payload.object_kind : undefined;
    const map = kind !== undefined && Object.hasOwn(mappers, kind) ? mappers[kind] : undefined;
    if (map === undefined) return { status: "not-used", reason: `object_kind ${String(kind).slice(0, 100)} is not used` };
    const projection = map(obj(payload, ""), ctx);
    if ("notUsed" in projection) return { status: "not-used", reason: projection.notUsed };
    const notes = [...projection.notes];
    const events: CustodyEvent[] = [];
    projection.drafts.forEach((draft, n) => {
      const parsed = custodyEvent.safeParse({ ...draft, id: `gitlab:${deliveryId}:${n}` });
      if (parsed.success) events.push(parsed.data);
      else notes.push(`${draft.type} left out: ${describeIssues(parsed.error.issues)}`);
    });
    if (events.length === 0) return { status: "not-used", reason: notes.length > 0 ? notes.join("; ") : `${kind} delivery has nothing to record` };
    return notes.length > 0 ? { status: "used", events, notes } : { status: "used", events };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("VALIDATION", `payload could not be mapped (${error instanceof Error ? error.message : String(error)})`);
  }
}
