import { handler, json, otherMethods } from "@/lib/http/respond";
import { checkpointOrigin, checkpointVerifierKey } from "@/lib/ledger/checkpoints";
import { instanceSigningKey } from "@/lib/signing/keys";

export const dynamic = "force-dynamic";

/** Public on purpose: an auditor fetches the key before receiving packages, with no account. */
export const GET = handler(async () => {
  const key = instanceSigningKey();
  const keys = key
    ? [{ keyId: key.keyId, algorithm: key.algorithm, publicKeyPem: key.publicKeyPem, jwk: key.jwk, checkpointOrigin: checkpointOrigin(), noteVerifierKey: checkpointVerifierKey(key) }]
    : [];
  return json({ keys }, { headers: { "cache-control": "public, max-age=300" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
