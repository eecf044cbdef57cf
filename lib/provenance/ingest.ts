import type { Database } from "@/db/client";
import { AppError } from "../errors";
import { whileIngesting } from "../evaluation/queue";
import { digestSchema, type EventOf } from "../events/schema";
import { ingest, type PreparedDelivery } from "../ingest/ingest";
import { integratedTimeOf, parseBundles, sha256Subjects, statementOf, type ReceivedBundle } from "./bundle";

export const SIGSTORE_SOURCE = "sigstore";
export const SIGSTORE_EVENT_TYPE = "sigstore_bundle";

/** The ledger's delivery id of a bundle: its hash, and the digest it was sent for when one was given. */
export const bundleDeliveryId = (sha256: string, digest: string | undefined): string => (digest ? `${sha256}@${digest}` : sha256);

/** The digest a delivery id names, if any (for replay). */
export function digestOfDeliveryId(deliveryId: string): string | undefined {
  const at = deliveryId.indexOf("@");
  return at < 0 ? undefined : deliveryId.slice(at + 1);
}

/** The projection event of a stored bundle; `receivedAt` stands in when the bundle has no log entry. */
export function bundleEvent(deliveryId: string, bundle: Record<string, unknown>, receivedAt: Date): EventOf<"sigstore_bundle"> {
  const digest = digestOfDeliveryId(deliveryId);
  return {
    id: deliveryId,
    type: "sigstore_bundle",
    occurredAt: (integratedTimeOf(bundle) ?? receivedAt).toISOString(),
    ...(digest ? { digest } : {}),
    bundle,
  };
}

export function parseDigestParam(value: string | null): string | undefined {
  if (value === null || value === "") return undefined;
  const parsed = digestSchema.safeParse(value.toLowerCase());
  if (!parsed.success) throw new AppError("VALIDATION", `digest: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

export function prepareBundles(bundles: ReceivedBundle[], digest: string | undefined, receivedAt: Date): PreparedDelivery[] {
  return bundles.map((b, i) => {
    if (!digest && sha256Subjects(statementOf(b.json)).length === 0) {
      const where = bundles.length > 1 ? `line ${i + 1}` : "bundle";
      throw new AppError("VALIDATION", `${where}: names no sha256 subject; give the image digest it is about (digest=sha256:…)`);
    }
    const deliveryId = bundleDeliveryId(b.sha256, digest);
    return {
      source: SIGSTORE_SOURCE,
      eventType: SIGSTORE_EVENT_TYPE,
      deliveryId,
      contentType: typeof b.json.mediaType === "string" ? b.json.mediaType.slice(0, 200) : "application/json",
      body: b.text,
      events: [bundleEvent(deliveryId, b.json, receivedAt)],
      status: "used",
      reason: null,
    };
  });
}

/**
 * Stores Sigstore bundles (one, or JSON lines) verbatim in the ledger and links them to their
 * digest; answers at ingest speed. Verification happens in the evaluator, after the commit.
 */
export function ingestSigstoreBundles(
  db: Database,
  body: string,
  opts: { digest?: string; maxBundleBytes: number },
): Promise<{ accepted: number; duplicates: number }> {
  return whileIngesting(db, async () => {
    const receivedAt = new Date();
    const deliveries = prepareBundles(parseBundles(body, opts.maxBundleBytes), opts.digest, receivedAt);
    const result = await ingest(db, deliveries, receivedAt);
    return { accepted: result.stored.length, duplicates: result.duplicates.length };
  });
}
