import { createHash, randomInt } from "node:crypto";

/**
 * Attribute-sampling sizes for zero expected deviations (CONTROLS.md, "Sampling"):
 * confidence % -> tolerable deviation % -> size.
 */
const sizes = { 90: { 10: 22, 5: 45 }, 95: { 10: 29, 5: 59 } } as const;

export function sampleSizeFor(confidence: 90 | 95, tolerable: 5 | 10): number {
  return sizes[confidence][tolerable];
}

/** A fresh seed for an auditor who gave none; printed with the sample so it can be redrawn. */
export function newSeed(): string {
  return String(randomInt(1, 2 ** 31));
}

/** sfc32 seeded from the SHA-256 of the seed text: the same seed gives the same stream everywhere. */
export function seededRandom(seed: string): () => number {
  const h = createHash("sha256").update(seed, "utf8").digest();
  let a = h.readUInt32BE(0);
  let b = h.readUInt32BE(4);
  let c = h.readUInt32BE(8);
  let d = h.readUInt32BE(12);
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export const sampleMethod =
  "change ids sorted by Unicode code point; partial Fisher-Yates shuffle driven by sfc32 seeded with SHA-256(seed); the first n picked, listed in change-id order";

/** Draws `size` change ids (capped at the population); the same ids and seed always give the same sample. */
export function drawSample(changeIds: readonly string[], size: number, seed: string): string[] {
  const pool = [...changeIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const n = Math.min(Math.max(0, size), pool.length);
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const picked = pool[j] as string;
    pool[j] = pool[i] as string;
    pool[i] = picked;
  }
  return pool.slice(0, n).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
