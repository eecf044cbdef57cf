import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import { log } from "../log";
import { observeRequest } from "../metrics";
import { urlRefusal } from "./url-guard";

export function newRequestId(): string {
  return randomUUID();
}

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json; charset=utf-8", ...init.headers },
  });
}

/** The one error envelope: `{ error: { code, message, requestId } }`. Unknown errors never leak their text. */
export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof AppError) {
    const headers: Record<string, string> = { "x-request-id": requestId };
    if (error.code === "UNAVAILABLE") headers["retry-after"] = "5";
    if (error.code === "RATE_LIMITED") headers["retry-after"] = String(retryAfterOf(error.details));
    if (error.code === "METHOD_NOT_ALLOWED") headers.allow = allowOf(error.details);
    return json(
      { error: { code: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) } },
      { status: error.status, headers },
    );
  }
  log.error("unhandled error", { requestId, error: errorSummary(error) });
  return json(
    { error: { code: "INTERNAL", message: "internal error; quote the request id when reporting it", requestId } },
    { status: 500, headers: { "x-request-id": requestId } },
  );
}

function retryAfterOf(details: unknown): number {
  const v = details && typeof details === "object" && "retryAfter" in details ? Number(details.retryAfter) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.ceil(v) : 60;
}

function allowOf(details: unknown): string {
  return details && typeof details === "object" && "allow" in details && typeof details.allow === "string" ? details.allow : "";
}

/**
 * An unexpected error as one log line, without the parameters drizzle appends to a failed query's
 * message ("Failed query: … params: …"): they can hold what a person typed or a webhook URL.
 */
function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.replace(/\nparams: [\s\S]*$/, "")}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** Wraps a route handler: assigns the request id and turns every throw into the error envelope. */
export function handler<C>(fn: (req: Request, ctx: C, requestId: string) => Promise<Response>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || newRequestId();
    const started = performance.now();
    let res: Response;
    try {
      const url = new URL(req.url);
      const refused = urlRefusal(url.pathname, url.search);
      if (refused) throw new AppError("VALIDATION", refused);
      res = await fn(req, ctx, requestId);
      res.headers.set("x-request-id", requestId);
    } catch (error) {
      res = errorResponse(error, requestId);
    }
    accessLog(req, res.status, requestId, performance.now() - started);
    return res;
  };
}

/** One access line per API request; the path only, since query strings may carry tokens or filters. */
function accessLog(req: Request, status: number, requestId: string, ms: number): void {
  let path = req.url;
  try {
    path = new URL(req.url).pathname;
  } catch {
    /* keep the raw value */
  }
  const durationMs = Math.round(ms * 10) / 10;
  log.info("request", { requestId, method: req.method, path, status, durationMs });
  observeRequest(req.method, path, status, ms / 1000);
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type RouteHandler = (req: Request, ctx: unknown) => Promise<Response>;

/**
 * The methods a route does not serve, each answering 405 in the error envelope with `Allow`: Next's
 * own 405 for a method a route file does not export has an empty body. Each route file exports them
 * beside its own, and OPTIONS: `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);`.
 */
export function otherMethods(served: readonly Method[]): Record<Method | "OPTIONS", RouteHandler> {
  const allow = [...served, ...(served.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const refuse: RouteHandler = handler(async (req: Request) => {
    throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not served here; this path answers ${allow}`, { allow });
  });
  refusals.add(refuse);
  // Next's own OPTIONS would list every exported method, these refusals included.
  const options: RouteHandler = async () => new Response(null, { status: 204, headers: { allow } });
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse, OPTIONS: options };
}

const refusals = new WeakSet<RouteHandler>();

/** Whether a route module's export for a method serves it (not one of `otherMethods`' refusals). */
export function serves(route: Record<string, unknown>, method: string): boolean {
  const fn = route[method];
  return typeof fn === "function" && !refusals.has(fn as RouteHandler);
}
