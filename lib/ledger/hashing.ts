import crypto, { createHash } from "node:crypto";

/** The chain hashing, without the database: what a verification worker thread loads. */
export const GENESIS_HASH = "0".repeat(64);
export type ChainName = "ledger" | "audit";

/** crypto.hash (Node 20.12+) hashes in one call, without a Hash object per entry. */
const oneShot = typeof crypto.hash === "function" ? crypto.hash : null;

export function sha256Hex(data: string | Buffer): string {
  return oneShot ? oneShot("sha256", data, "hex") : createHash("sha256").update(data).digest("hex");
}

/** JSON with sorted keys, so the same fields always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** hash(n) = SHA-256(hash(n-1) + "\n" + canonical JSON of entry n's fields, its seq included). */
export function chainHash(prevHash: string, fields: Record<string, unknown>): string {
  return sha256Hex(`${prevHash}\n${canonicalJson(fields)}`);
}

