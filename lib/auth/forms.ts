import { AppError } from "../errors";
import { parseJson, readBody, refuseUnstorable } from "../http/body";

/** Reads a small JSON or urlencoded form body into string fields; whether it was a browser form. */
export async function readFields(req: Request, limit = 16_384): Promise<{ fields: Record<string, string>; isForm: boolean }> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const raw = await readBody(req, limit);
  if (type === "application/x-www-form-urlencoded") {
    const fields = Object.fromEntries(new URLSearchParams(raw));
    refuseUnstorable(fields, "body");
    return { fields, isForm: true };
  }
  if (type === "application/json") {
    const body = parseJson(raw);
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError("VALIDATION", "body: expected an object");
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") fields[k] = v;
    return { fields, isForm: false };
  }
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", "content-type must be application/json or application/x-www-form-urlencoded");
}

const PLACEHOLDER_ORIGIN = "http://custody.invalid";

/**
 * Only a path on this site, so ?next= cannot send a person elsewhere. Refuses control characters,
 * whitespace and backslashes (browsers drop tabs and newlines and read `\` as `/`, so
 * `/\t/evil.example` would become `//evil.example`), resolves what is left against an origin of its
 * own and requires the same origin back, and answers the normalised path: never `//…`.
 */
export function safeNext(value: string | null | undefined): string {
  if (!value || value.length > 500 || !value.startsWith("/")) return "/";
  if (/[\u0000-\u001f\u007f-\u009f\\\s]/.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

/**
 * A 303 to a path on this site, as a relative Location: the browser resolves it against the
 * address the person actually used (127.0.0.1, a LAN name, the public URL behind a proxy), where
 * an absolute URL built from the server's own idea of its host would leave the CSP's
 * form-action 'self' and strand the person on the form.
 */
export function seeOther(location: string, _req: Request, headers: Record<string, string> = {}): Response {
  const url = new URL(location, PLACEHOLDER_ORIGIN);
  // Belt and braces beside safeNext: whatever resolves off this site goes home instead.
  const path = url.origin === PLACEHOLDER_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : "/";
  return new Response(null, { status: 303, headers: { location: path, ...headers } });
}
