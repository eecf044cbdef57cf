import { randomUUID } from "node:crypto";
import { AppError } from "../errors";

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
    return json(
      { error: { code: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) } },
      { status: error.status, headers },
    );
  }
  console.error(JSON.stringify({ level: "error", requestId, msg: "unhandled error", error: errorSummary(error) }));
  return json(
    { error: { code: "INTERNAL", message: "internal error; quote the request id when reporting it", requestId } },
    { status: 500, headers: { "x-request-id": requestId } },
  );
}

function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** Wraps a route handler: assigns the request id and turns every throw into the error envelope. */
export function handler<C>(fn: (req: Request, ctx: C, requestId: string) => Promise<Response>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || newRequestId();
    try {
      const res = await fn(req, ctx, requestId);
      res.headers.set("x-request-id", requestId);
      return res;
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}
