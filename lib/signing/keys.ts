import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { config } from "../config";
import { AppError } from "../errors";
import { trialSecrets } from "../trial-secrets";

export interface PublicKeyInfo {
  keyId: string;
  algorithm: "Ed25519";
  publicKeyPem: string;
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA"; use: "sig" };
}

export interface SigningKey extends PublicKeyInfo {
  privateKey: KeyObject;
}

/** Env files often carry a PEM on one line with literal `\n`s. */
function normalisePem(pem: string): string {
  return pem.includes("\\n") ? pem.replace(/\\n/g, "\n") : pem;
}

/** First 16 hex of the SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, 16);
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

export function describePublicKey(publicKey: KeyObject): PublicKeyInfo {
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    algorithm: "Ed25519",
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    jwk: { kty: "OKP", crv: "Ed25519", x: rawPublicKey(publicKey).toString("base64url"), kid: keyId, alg: "EdDSA", use: "sig" },
  };
}

/** Parses a PKCS#8 PEM Ed25519 private key; the message says what is wrong without echoing the key. */
export function parseSigningKey(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(normalisePem(pem));
  } catch {
    throw new AppError("UNAVAILABLE", "CUSTODY_SIGNING_KEY is not a readable PKCS#8 PEM private key");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new AppError("UNAVAILABLE", "CUSTODY_SIGNING_KEY must be an Ed25519 key (openssl genpkey -algorithm ed25519)");
  }
  return { ...describePublicKey(createPublicKey(privateKey)), privateKey };
}

/** Parses a public key (SPKI PEM, as `custody keys` prints it); throws for anything but Ed25519. */
export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey(normalisePem(pem));
  if (key.asymmetricKeyType !== "ed25519") throw new Error("the public key is not an Ed25519 key");
  return key;
}

/**
 * The instance's signing key: CUSTODY_SIGNING_KEY, or the embedded trial's generated key. A server
 * on a real Postgres without a configured key has none: exports that need one answer 503.
 */
export function instanceSigningKey(): SigningKey | null {
  const c = config();
  if (c.signingKey) return parseSigningKey(c.signingKey);
  if (c.databaseUrl) return null;
  return parseSigningKey(trialSecrets().signingKey);
}

export function requireSigningKey(): SigningKey {
  const key = instanceSigningKey();
  if (!key) throw new AppError("UNAVAILABLE", "no signing key: set CUSTODY_SIGNING_KEY to an Ed25519 PKCS#8 PEM private key");
  return key;
}

export function signBytes(key: SigningKey, data: Buffer): string {
  return sign(null, data, key.privateKey).toString("base64");
}

export function verifyBytes(publicKey: KeyObject, data: Buffer, signatureBase64: string): boolean {
  try {
    return verify(null, data, publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}
