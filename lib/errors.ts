/** The stable machine codes of the API's one error shape (API.md, "Errors"). */
export type ErrorCode =
  | "VALIDATION"
  | "MALFORMED_JSON"
  | "UNAUTHENTICATED"
  | "BAD_SIGNATURE"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  | "INTERNAL";

export const statusOf: Record<ErrorCode, number> = {
  VALIDATION: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  BAD_SIGNATURE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** A domain error that maps to one HTTP status and code; its message is safe to show. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return statusOf[this.code];
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
export const validation = (message: string, details?: unknown) => new AppError("VALIDATION", message, details);

/** Formats zod issues as `path.to.field: message; ...`, naming every bad field. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ""): string {
  return issues
    .slice(0, 10)
    .map((i) => {
      const p = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
      return p ? `${p}: ${i.message}` : i.message;
    })
    .join("; ");
}
