import { gzipSync } from "node:zlib";
import { CliError } from "./output";

/** Sends events to a running Custody (`--url`, `--token`) instead of the local database. */
export function postEvents(url: string, token: string, body: unknown): Promise<{ accepted: number; duplicates: number }> {
  return postJson(url, "/api/v1/events", token, body);
}

/** Sends Sigstore bundles (a bundle or JSON lines, as read) to a running Custody. */
export function postBundles(url: string, token: string, text: string, digest: string | undefined): Promise<{ accepted: number; duplicates: number }> {
  const path = `/api/v1/attestations/sigstore${digest ? `?digest=${encodeURIComponent(digest)}` : ""}`;
  return postTo(url, path, token, "application/x-ndjson", text);
}

/** POSTs JSON to a running Custody and returns the parsed answer; an error answer becomes a CliError. */
export function postJson<T>(url: string, path: string, token: string, body: unknown): Promise<T> {
  return postTo<T>(url, path, token, "application/json", JSON.stringify(body));
}

/** Bodies from this size on are sent gzip-compressed: the tests' real kubectl snapshot shrinks 7.4 times. */
export const COMPRESS_FROM_BYTES = 64 * 1024;

async function postTo<T = { accepted: number; duplicates: number }>(url: string, path: string, token: string, contentType: string, body: string): Promise<T> {
  let target: URL;
  try {
    target = new URL(path, url);
  } catch {
    throw new CliError(`--url ${url} is not a URL`, 2);
  }
  const send = async (compress: boolean): Promise<{ res: Response; text: string }> => {
    const headers: Record<string, string> = { "content-type": contentType, authorization: `Bearer ${token}` };
    if (compress) headers["content-encoding"] = "gzip";
    let res: Response;
    try {
      res = await fetch(target, { method: "POST", headers, body: compress ? new Uint8Array(gzipSync(body)) : body });
    } catch (error) {
      throw new CliError(`cannot reach ${target.origin}: ${(error as Error).message}`);
    }
    return { res, text: await res.text() };
  };
  const compress = Buffer.byteLength(body, "utf8") >= COMPRESS_FROM_BYTES;
  let { res, text } = await send(compress);
  // A server from before compressed bodies were read refuses them (415 naming the content-encoding): send it as is.
  if (compress && res.status === 415 && text.includes("content-encoding")) ({ res, text } = await send(false));
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CliError(`server answered ${res.status} ${err?.code ?? ""}: ${err?.message ?? text.slice(0, 200)}`);
  }
  return json as T;
}
