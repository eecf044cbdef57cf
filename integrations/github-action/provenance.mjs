// Sends the Sigstore bundle of `actions/attest-build-provenance` (its `bundle-path` output) to
// Custody's POST /api/v1/attestations/sigstore, for the image digest just pushed. Node 20, no deps.
import { readFileSync } from "node:fs";

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** The request for a bundle file: path with the digest, body as read, and its content type. */
export function provenanceRequest(env) {
  const file = env.CUSTODY_BUNDLE_PATH;
  if (!file) throw new Error("bundle-path is required for kind provenance (the bundle-path output of actions/attest-build-provenance)");
  const digest = (env.CUSTODY_DIGEST ?? "").toLowerCase();
  if (digest && !digestPattern.test(digest)) throw new Error(`digest must be sha256: and 64 hex characters, got "${digest}"`);
  const body = readFileSync(file, "utf8");
  return {
    path: `/api/v1/attestations/sigstore${digest ? `?digest=${encodeURIComponent(digest)}` : ""}`,
    body,
    contentType: "application/x-ndjson",
  };
}

export async function sendProvenance(env) {
  const url = env.CUSTODY_URL;
  const token = env.CUSTODY_TOKEN;
  if (!url || !token) throw new Error("CUSTODY_URL and CUSTODY_TOKEN are required");
  const req = provenanceRequest(env);
  const res = await fetch(new URL(req.path, url), {
    method: "POST",
    headers: { "content-type": req.contentType, authorization: `Bearer ${token}` },
    body: req.body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`Custody answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}
