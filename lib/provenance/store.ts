import { and, eq, inArray } from "drizzle-orm";
import { bulkInsert, onConflictNothing } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { provenanceBundles, provenanceVerifications } from "@/db/schema";
import { config } from "../config";
import type { LinkedProvenance } from "./judge";
import { activeTrustRoots, type TrustRoots } from "./trust";
import { verifyBundle, type BundleVerification } from "./verify";

/**
 * Verified bundles, by bundle hash and trust fingerprint: a verdict depends on nothing else, so it
 * is computed once and kept (in provenance_verifications, and here for this process).
 */
const memo = new Map<string, BundleVerification>();
// A verdict is about 3 KB as JSON, several in memory: 5,000 stay within a few tens of MB.
const MEMO_LIMIT = 5_000;

function remember(key: string, v: BundleVerification): void {
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, v);
}

export const configuredTrustRoots = (): TrustRoots => activeTrustRoots(config().sigstoreTrustedRoots);

/** Forgets this process's verdicts (tests, benchmarks). The stored cache stays. */
export function clearVerificationMemo(): void {
  memo.clear();
}

/**
 * The verdicts of these bundles (by hash) under `trust`: from memory, else from the stored cache,
 * else verified now from the stored bundle and cached. Runs in the evaluator, never in a request
 * that stores evidence.
 */
export async function verificationsOf(db: Queryable, shas: readonly string[], trust: TrustRoots, now = new Date()): Promise<Map<string, BundleVerification>> {
  const out = new Map<string, BundleVerification>();
  const unknown = new Set<string>();
  for (const sha of new Set(shas)) {
    const hit = memo.get(`${sha}:${trust.fingerprint}`);
    if (hit) out.set(sha, hit);
    else unknown.add(sha);
  }
  if (unknown.size === 0) return out;
  const stored = await db
    .select({ sha: provenanceVerifications.bundleSha256, result: provenanceVerifications.result })
    .from(provenanceVerifications)
    .where(and(eq(provenanceVerifications.trustFingerprint, trust.fingerprint), inArray(provenanceVerifications.bundleSha256, [...unknown])));
  for (const r of stored) {
    const v = r.result as unknown as BundleVerification;
    out.set(r.sha, v);
    remember(`${r.sha}:${trust.fingerprint}`, v);
    unknown.delete(r.sha);
  }
  if (unknown.size === 0) return out;
  const bundles = await db
    .selectDistinctOn([provenanceBundles.bundleSha256], { sha: provenanceBundles.bundleSha256, bundle: provenanceBundles.bundle })
    .from(provenanceBundles)
    .where(inArray(provenanceBundles.bundleSha256, [...unknown]));
  const fresh = bundles.map((b) => verifyBundle(b.bundle, b.sha, trust));
  if (fresh.length > 0) {
    await bulkInsert(
      db,
      provenanceVerifications,
      fresh.map((v) => ({ bundleSha256: v.bundleSha256, trustFingerprint: trust.fingerprint, status: v.status, result: v as unknown as Record<string, unknown>, verifiedAt: now })),
      onConflictNothing(),
    );
  }
  for (const v of fresh) {
    out.set(v.bundleSha256, v);
    remember(`${v.bundleSha256}:${trust.fingerprint}`, v);
  }
  return out;
}

/**
 * Every bundle linked to these digests, each with its verdict, by digest. The links are one small
 * indexed read; verdicts come from this process's memory, else the stored cache, else verification.
 */
export async function provenanceOfDigests(db: Queryable, digests: readonly string[], trust: TrustRoots = configuredTrustRoots(), now = new Date()): Promise<Map<string, LinkedProvenance[]>> {
  const out = new Map<string, LinkedProvenance[]>();
  const wanted = [...new Set(digests)];
  if (wanted.length === 0) return out;
  const links = await db
    .select({ id: provenanceBundles.id, sha: provenanceBundles.bundleSha256, digest: provenanceBundles.digest, receivedAt: provenanceBundles.receivedAt })
    .from(provenanceBundles)
    .where(inArray(provenanceBundles.digest, wanted));
  if (links.length === 0) return out;
  const verdicts = await verificationsOf(
    db,
    links.map((l) => l.sha),
    trust,
    now,
  );
  for (const l of links) {
    const verification = verdicts.get(l.sha);
    if (!verification || l.digest === null) continue;
    const list = out.get(l.digest) ?? [];
    list.push({ bundleId: Number(l.id), digest: l.digest, receivedAt: l.receivedAt, verification });
    out.set(l.digest, list);
  }
  return out;
}
