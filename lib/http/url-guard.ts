/**
 * URLs no Custody name, reference or filter can come from, refused before anything reads them:
 * - `%00` anywhere (path or query): decoded, it is a NUL character, which Postgres refuses in text, so
 *   a lookup by that name failed as a 500 instead of answering that nothing has that name;
 * - a path whose percent-encoding is not UTF-8 (`/api/v1/trace/%FF`): Next's router cannot decode its
 *   parameters and answered a bare 500. (A query string with such bytes decodes to U+FFFD, which is
 *   harmless text, and is left to the routes' own validation.)
 *
 * Used by the proxy (pages and routes, before Next's router) and by `handler()` (routes, which tests
 * and any deployment without the proxy call directly). Free of Node-only modules: the proxy imports it.
 */
export function urlRefusal(rawPath: string, rawQuery: string): string | null {
  // Only the encoded form can arrive: Node's HTTP parser refuses a raw NUL, and URL encodes one.
  if (/%00/i.test(rawPath) || /%00/i.test(rawQuery)) {
    return "the URL holds %00, a NUL character, which no name, reference or filter contains";
  }
  try {
    decodeURIComponent(rawPath);
  } catch {
    return "the URL's path is not valid percent-encoded UTF-8";
  }
  return null;
}

/** The refusal as the contract's error envelope (API paths) or a short page (pages), status 400. */
export function urlRefusalResponse(pathname: string, message: string, requestId: string): Response {
  if (pathname === "/api" || pathname.startsWith("/api/")) {
    return new Response(JSON.stringify({ error: { code: "VALIDATION", message, requestId } }), {
      status: 400,
      headers: { "content-type": "application/json; charset=utf-8", "x-request-id": requestId },
    });
  }
  // The app's own look in a few inline rules: this answer comes before Next renders anything.
  const style = `body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff}header{padding:.75rem 1.5rem;border-bottom:1px solid #d0d7de;background:#f6f8fa;font-weight:600}main{max-width:60rem;margin:0 auto;padding:1.5rem}a{color:#0b5cad}`;
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Bad request · Custody</title><style>${style}</style></head><body><header>Custody</header><main><h1>Bad request</h1><p>This address cannot be opened: ${message}.</p><p><a href="/">Back to the overview</a></p></main></body></html>`;
  return new Response(page, { status: 400, headers: { "content-type": "text/html; charset=utf-8", "x-request-id": requestId } });
}
