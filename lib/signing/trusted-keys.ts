import { createPublicKey, type KeyObject } from "node:crypto";
import { parsePublicKey } from "./keys";

/**
 * Public keys an auditor trusts, from what they obtained out of band: a PEM (`custody keys`), a
 * signed-note verifier key (`name+id+base64`), or the JSON of GET /api/v1/keys. Throws with a
 * message naming what is wrong; never returns an empty list.
 */
export function parseTrustedKeys(text: string, source: string): KeyObject[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let body: unknown;
    try {
      body = JSON.parse(trimmed);
    } catch {
      throw new Error(`${source} is not valid JSON`);
    }
    const keys = (body as { keys?: { publicKeyPem?: unknown }[] }).keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${source} lists no keys (expected { "keys": [{ "publicKeyPem": ... }] })`);
    return keys.map((k) => {
      if (typeof k.publicKeyPem !== "string") throw new Error(`${source}: a key has no publicKeyPem`);
      return pem(k.publicKeyPem, source);
    });
  }
  if (trimmed.includes("-----BEGIN")) return [pem(trimmed, source)];
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(trimmed);
  if (m) {
    const raw = Buffer.from(m[3] as string, "base64");
    if (raw.length !== 33 || raw[0] !== 1) throw new Error(`${source} is not an Ed25519 verifier key`);
    return [createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.subarray(1).toString("base64url") }, format: "jwk" })];
  }
  throw new Error(`${source} is not a public key (expected a PEM, a verifier key name+id+key, or the JSON of /api/v1/keys)`);
}

function pem(text: string, source: string): KeyObject {
  try {
    return parsePublicKey(text);
  } catch {
    throw new Error(`${source} is not an Ed25519 public key in PEM form`);
  }
}

/** Fetches trusted keys from a URL (e.g. https://custody.example/api/v1/keys, kept by the auditor). */
export async function fetchTrustedKeys(url: string): Promise<KeyObject[]> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new Error(`cannot fetch keys from ${url}: ${(error as Error).message}`);
  }
  if (!res.ok) throw new Error(`fetching keys from ${url} answered ${res.status}`);
  return parseTrustedKeys(await res.text(), url);
}
