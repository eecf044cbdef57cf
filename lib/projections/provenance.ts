import { bulkInsert, onConflictNothing } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { provenanceBundles } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { bundleSha256, sha256Subjects, statementOf } from "../provenance/bundle";
import { chunks } from "./merge";
import type { Touched } from "./touched";

/**
 * Links each bundle to the image digest it is about: the digest it was sent with, else every
 * sha256 subject of its statement. A digest no deployment has yet is linked all the same; the
 * deployment finds the bundle when it arrives. Verification is the evaluator's (lib/provenance/store.ts).
 */
export async function applyProvenanceBundles(tx: Queryable, events: EventOf<"sigstore_bundle">[], touched: Touched): Promise<void> {
  if (events.length === 0) return;
  const rows = events.flatMap((e) => {
    const sha = bundleSha256(e.bundle);
    const digests = e.digest ? [e.digest] : sha256Subjects(statementOf(e.bundle));
    const links = digests.length > 0 ? digests : [null];
    return links.map((digest) => ({
      bundleSha256: sha,
      digest,
      externalId: `${e.id}#${digest ?? ""}`,
      mediaType: typeof e.bundle.mediaType === "string" ? e.bundle.mediaType : null,
      bundle: e.bundle,
      receivedAt: new Date(e.occurredAt),
    }));
  });
  for (const batch of chunks(rows, 2000)) await bulkInsert(tx, provenanceBundles, batch, onConflictNothing());
  for (const r of rows) if (r.digest) touched.digests.add(r.digest);
}
