import { promisify } from "node:util";
import zlib from "node:zlib";
import { AppError } from "../errors";
import { MAX_JSON_DEPTH, nestingExceeds, unstorableString } from "./json-limits";

export interface ReadOptions {
  /**
   * Read a body sent compressed (`Content-Encoding: gzip`, `deflate` or `br`). Only for routes that
   * authenticate the caller before reading the body (a bearer token): elsewhere anyone could make
   * the server inflate up to the limit for a few bytes sent, so a compressed body is refused (415).
   */
  decompress?: boolean;
}

/** Reads the raw body, refusing (413) as soon as it passes `limit` bytes, declared or not. */
export async function readBody(req: Request, limit: number, opts: ReadOptions = {}): Promise<string> {
  return (await readBytes(req, limit, opts)).toString("utf8");
}

/**
 * The body as bytes, refused (413) as soon as it passes `limit` bytes, declared or not. With
 * `decompress`, a body sent compressed is decompressed, and `limit` bounds what it decompresses to
 * as well as what was sent: a small body that would inflate past it (a decompression bomb) is
 * refused when the limit is reached, not decompressed whole.
 */
export async function readBytes(req: Request, limit: number, opts: ReadOptions = {}): Promise<Buffer> {
  const codings = contentCodings(req, opts.decompress === true);
  let body = await readSent(req, limit);
  // Codings are listed in the order they were applied: undone last first (RFC 9110, 8.4).
  for (const coding of [...codings].reverse()) body = await decode(coding, body, limit);
  return body;
}

async function readSent(req: Request, limit: number): Promise<Buffer> {
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

/** The content codings a body may be sent in; `x-gzip` is gzip's old name (RFC 9110, 8.4.1.3). */
const CODINGS = ["gzip", "x-gzip", "deflate", "br"] as const;
type Coding = (typeof CODINGS)[number];
const isCoding = (c: string): c is Coding => (CODINGS as readonly string[]).includes(c);
/** More codings than anyone applies on purpose (gzip of gzip is one too many already). */
const MAX_CODINGS = 2;

/**
 * The body's content codings in the order applied, `identity` left out; another coding (`zstd`,
 * `compress`), or any where the route does not decompress, is refused (415), naming it, rather
 * than its bytes reported as malformed JSON.
 */
function contentCodings(req: Request, decompress: boolean): Coding[] {
  const header = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (header === "") return [];
  const codings = header.split(",").map((c) => c.trim()).filter((c) => c !== "identity");
  if (codings.length > 0 && !decompress) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `content-encoding ${header.slice(0, 40)} is not accepted on this route: send the body uncompressed`);
  }
  const unknown = codings.find((c) => !isCoding(c));
  if (unknown !== undefined) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `content-encoding ${unknown.slice(0, 40) || "(empty)"} is not accepted: send the body uncompressed, or as gzip, deflate or br`);
  }
  if (codings.length > MAX_CODINGS) throw new AppError("UNSUPPORTED_MEDIA_TYPE", `content-encoding lists ${codings.length} codings: at most ${MAX_CODINGS} are accepted`);
  return codings.filter(isCoding);
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** One coding undone, its output bounded by `limit` (zlib stops at maxOutputLength). */
async function decode(coding: Coding, data: Buffer, limit: number): Promise<Buffer> {
  const bounded = { maxOutputLength: Math.max(limit, 1) };
  try {
    if (coding === "br") return await brotli(data, bounded);
    if (coding === "deflate") {
      // HTTP's deflate is the zlib format (RFC 9110, 8.4.1.2); some senders send raw deflate.
      return await inflate(data, bounded).catch((e: unknown) => (zlibCode(e) === "Z_DATA_ERROR" ? inflateRaw(data, bounded) : Promise.reject(e)));
    }
    return await gunzip(data, bounded);
  } catch (e) {
    if (zlibCode(e) === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit, " once decompressed");
    throw new AppError("VALIDATION", `body: not valid ${coding} data, as its content-encoding says (${(e as Error).message})`);
  }
}

const zlibCode = (e: unknown): string | undefined => (e as { code?: string } | null)?.code;

const tooLarge = (limit: number, how = "") => new AppError("PAYLOAD_TOO_LARGE", `request body is larger than the limit of ${limit} bytes${how}`);

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
