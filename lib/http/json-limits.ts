/** The deepest nesting of arrays and objects a request body may have (deeper JSON is refused unparsed). */
export const MAX_JSON_DEPTH = 64;

/**
 * Scans JSON text once, without parsing it, and answers whether its arrays and objects nest deeper
 * than `limit`. Linear in the text and stops at the first level past the limit, so a body of a
 * million `[` costs no more than reading it.
 */
export function nestingExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The first string (value or key) Postgres cannot store: one holding U+0000, which `text` and
 * `jsonb` refuse, or a lone UTF-16 surrogate, which `jsonb` refuses and `text` would silently
 * replace. Answers `path: what`, the path in the style of the validation messages, or null.
 */
export function unstorableString(value: unknown, path: string[] = []): string | null {
  const here = (what: string, at = path) => `${at.join(".") || "(root)"}: ${what}`;
  if (typeof value === "string") return problemOf(value) && here(problemOf(value) as string);
  if (value === null || typeof value !== "object") return null;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) {
    const keyProblem = problemOf(k);
    if (keyProblem) return here(`a key ${keyProblem}`, [...path, JSON.stringify(k)]);
    const found = unstorableString(v, [...path, k]);
    if (found) return found;
  }
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(s: string): string | null {
  if (s.includes("\u0000")) return "contains U+0000 (NUL), which cannot be stored";
  if (LONE_SURROGATE.test(s)) return "contains a lone UTF-16 surrogate, which cannot be stored";
  return null;
}
