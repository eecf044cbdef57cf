import { AppError } from "../../errors";
import { checkRunEvent, digestSchema, pipelineRunEvent, shaSchema } from "../../events/schema";

const isoDate = pipelineRunEvent.shape.occurredAt;

/** A timestamp the schema accepts, else undefined. */
export function time(value: unknown): string | undefined {
  if (typeof value !== "string" || !isoDate.safeParse(value).success) return undefined;
  // GitHub writes Go's zero time (0001-01-01T00:00:00Z) when it has no date: that is no date.
  return Number(value.slice(0, 4)) >= 1970 ? value : undefined;
}

/** Push payloads give `repository.pushed_at` as Unix seconds. */
export function unixSeconds(value: unknown): string | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value >= 253_402_300_800) return undefined;
  return new Date(Math.floor(value) * 1000).toISOString();
}

export interface Context {
  /** When the ledger received the delivery: the last resort for `occurredAt`. */
  receivedAt?: string;
}

/**
 * The first usable timestamp among the candidates, else the receipt time; with neither the
 * delivery is rejected naming the field that should have carried it.
 */
export function occurredAt(ctx: Context, field: string, ...candidates: Array<string | undefined>): string {
  const found = candidates.find((c) => c !== undefined) ?? time(ctx.receivedAt);
  if (found === undefined) throw new AppError("VALIDATION", `${field}: required (no usable timestamp in the payload)`);
  return found;
}

export function sha(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  return shaSchema.safeParse(lower).success ? lower : undefined;
}

/** A full commit SHA (SHA-1 or SHA-256 object format), not a branch, tag or abbreviation. */
export function fullSha(value: unknown): string | undefined {
  const s = sha(value);
  return s !== undefined && (s.length === 40 || s.length === 64) ? s : undefined;
}

export function digest(value: unknown): string | undefined {
  return typeof value === "string" && digestSchema.safeParse(value).success ? value : undefined;
}

/** An identifier or name that fits the schema's 1..max characters; never truncated. */
export function name(value: unknown, max = 200): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : undefined;
}

/** Free text cut to the schema's limit: losing the tail of a long body beats losing the event. */
export function clip(value: unknown, max: number): string | undefined {
  return typeof value === "string" ? value.slice(0, max) : undefined;
}

export function url(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 2000) return undefined;
  return URL.canParse(value) && /^https?:\/\//i.test(value) ? value : undefined;
}

/** Any GitHub account object (User, the package author, ...) read through `Fields`. */
export interface Account {
  value(key: "login" | "type"): unknown;
}

export function login(user: Account | undefined): string | undefined {
  return name(user?.value("login"));
}

export function isBot(user: Account | undefined): boolean {
  if (user === undefined) return false;
  return user.value("type") === "Bot" || (login(user)?.endsWith("[bot]") ?? false);
}

const runStatus = checkRunEvent.shape.status;
const runConclusion = checkRunEvent.shape.conclusion.unwrap();
type RunStatus = (typeof runStatus.options)[number];
type RunConclusion = (typeof runConclusion.options)[number];

/** GitHub's extra pre-start states (requested, waiting, pending) are all "not started yet". */
export function checkStatus(value: unknown): RunStatus | undefined {
  if (value === "requested" || value === "waiting" || value === "pending") return "queued";
  const parsed = runStatus.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** `startup_failure` (a workflow that could not start) is a failure for evidence purposes. */
export function checkConclusion(value: unknown): RunConclusion | undefined {
  if (value === "startup_failure") return "failure";
  const parsed = runConclusion.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
