const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether a URL may be stored and shown as a link: https only, and plain http for this machine
 * while trialling (a local CI). Never javascript:, data: or anything else a browser would run.
 */
export function isLinkUrl(value: string, allowLocalHttp: boolean): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.protocol === "https:") return true;
  return allowLocalHttp && u.protocol === "http:" && LOCAL_HOSTS.has(u.hostname);
}

/** The URL to put in an href, or null: what was stored before links were checked is checked again. */
export function linkHref(value: string | null | undefined): string | null {
  return value && isLinkUrl(value, true) ? value : null;
}
