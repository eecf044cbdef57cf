/**
 * Admission answers per digest and environment, kept for a short time in this process. A new
 * decision for the digest (or any new evidence this process stores) drops the entry at once; the
 * TTL bounds how long another replica's new evidence takes to be seen.
 */
export interface CachedVerdict {
  /** Null when the digest may run here; else why not, in one sentence. */
  refusal: string | null;
  decisionId: string | null;
}

const TTL_MS = 10_000;
const MAX = 50_000;

const g = globalThis as unknown as { __custodyDecisionCache?: Map<string, { at: number; verdict: CachedVerdict }> };
const store = () => (g.__custodyDecisionCache ??= new Map());
const key = (digest: string, environment: string) => `${digest}\u0000${environment}`;

export function cachedVerdict(digest: string, environment: string, now = Date.now()): CachedVerdict | undefined {
  const hit = store().get(key(digest, environment));
  if (hit === undefined || now - hit.at > TTL_MS) return undefined;
  return hit.verdict;
}

export function cacheVerdict(digest: string, environment: string, verdict: CachedVerdict, now = Date.now()): void {
  const s = store();
  if (s.size >= MAX) s.clear();
  s.set(key(digest, environment), { at: now, verdict });
}

/** Drops the entry for this digest and environment, or every entry when the digest is unknown. */
export function invalidateDecisions(digest: string | null, environment?: string): void {
  if (digest === null) {
    store().clear();
    return;
  }
  if (environment !== undefined) {
    store().delete(key(digest, environment));
    return;
  }
  for (const k of store().keys()) if (k.startsWith(`${digest}\u0000`)) store().delete(k);
}

/** Drops everything: new evidence (an ingest) may change any verdict. */
export function invalidateAllDecisions(): void {
  store().clear();
}
