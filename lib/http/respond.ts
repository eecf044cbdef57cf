import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import { log } from "../log";
import { observeRequest } from "../metrics";

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

function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** Wraps a route handler: assigns the request id and turns every throw into the error envelope. */
export function handler<C>(fn: (req: Request, ctx: C, requestId: string) => Promise<Response>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || newRequestId();
    const started = performance.now();
    let res: Response;
    try {
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
