import { AppError } from "../errors";
import { MAX_JSON_DEPTH, nestingExceeds, unstorableString } from "./json-limits";

/** Reads the raw body, refusing (413) as soon as it passes `limit` bytes, declared or not. */
export async function readBody(req: Request, limit: number): Promise<string> {
  return (await readBytes(req, limit)).toString("utf8");
}

/** The raw body as bytes, refused (413) as soon as it passes `limit` bytes, declared or not. */
export async function readBytes(req: Request, limit: number): Promise<Buffer> {
  refuseEncodedBody(req);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/**
 * A compressed body (`Content-Encoding: gzip`, say) is refused (415): Custody reads bodies as sent and
 * would otherwise report the compressed bytes as malformed JSON. Webhook senders and the CLI send
 * bodies uncompressed; a proxy that decompresses removes the header.
 */
function refuseEncodedBody(req: Request): void {
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `content-encoding ${encoding.slice(0, 40)} is not accepted: send the body uncompressed`);
  }
}

const tooLarge = (limit: number) => new AppError("PAYLOAD_TOO_LARGE", `request body is larger than the limit of ${limit} bytes`);

/** Requires a JSON content type (415 otherwise). */
export function requireJson(req: Request): void {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json" && !type?.endsWith("+json")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "content-type must be application/json");
  }
}

/**
 * Parses a JSON body; JSON nested deeper than MAX_JSON_DEPTH is refused (400) before it is parsed, and
 * a string (or key) Postgres cannot store, one holding U+0000 or a lone UTF-16 surrogate, after it
 * (400, naming where): a sign-in, an engagement, a gate decision with one answered 500 (probed
 * 4 Dec 2026). The ingest routes check each event themselves with the event's own path and say
 * `storable: "checked later"`.
 */
export function parseJson(text: string, opts: { storable?: "checked later" } = {}): unknown {
  if (nestingExceeds(text)) throw new AppError("VALIDATION", `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    // An invisible first character would make the parser's message unreadable: name it.
    if (text.charCodeAt(0) === 0xfeff) throw new AppError("MALFORMED_JSON", "body is not valid JSON: it starts with a byte order mark (U+FEFF), which JSON text must not (RFC 8259, section 8.1); send it without one");
    throw new AppError("MALFORMED_JSON", `body is not valid JSON: ${(error as Error).message}`);
  }
  if (opts.storable !== "checked later") refuseUnstorable(parsed, "body");
  return parsed;
}

/** Refuses (400) text fields or a parsed body holding a string Postgres cannot store (see parseJson). */
export function refuseUnstorable(value: unknown, root: string): void {
  const problem = unstorableString(value, [root]);
  if (problem !== null) throw new AppError("VALIDATION", problem);
}
