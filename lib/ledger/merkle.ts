import crypto, { createHash } from "node:crypto";

/**
 * RFC 9162 (RFC 6962) Merkle tree hashing and proofs, written small: the libraries on npm either
 * hash leaves without the 0x00/0x01 domain prefixes or build a different, balanced tree. Tested
 * with the Certificate Transparency vectors of transparency-dev/merkle (testdata/).
 */
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const EMPTY_ROOT = createHash("sha256").digest();

const oneShot = typeof crypto.hash === "function" ? crypto.hash : null;

const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65, 1);

export function leafHash(data: Buffer): Buffer {
  if (oneShot && data.length === 32) {
    data.copy(leafInput, 1);
    return oneShot("sha256", leafInput, "buffer");
  }
  return createHash("sha256").update(LEAF).update(data).digest();
}

/** Leaf hash of a hex-encoded 32-byte value, without an intermediate Buffer. */
export function leafHashOfHex(hex: string): Buffer {
  if (oneShot && hex.length === 64) {
    if (leafInput.write(hex, 1, "hex") !== 32) throw new Error("not a hex SHA-256 hash");
    return oneShot("sha256", leafInput, "buffer");
  }
  return leafHash(Buffer.from(hex, "hex"));
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (oneShot && left.length === 32 && right.length === 32) {
    left.copy(nodeInput, 1);
    right.copy(nodeInput, 33);
    return oneShot("sha256", nodeInput, "buffer");
  }
  return createHash("sha256").update(NODE).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes already computed, in memory. */
export function rootOfLeafHashes(hashes: Buffer[], lo = 0, hi = hashes.length): Buffer {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return hashes[lo] as Buffer;
  const k = splitPoint(n);
  return nodeHash(rootOfLeafHashes(hashes, lo, lo + k), rootOfLeafHashes(hashes, lo + k, hi));
}

/** The hash of the subtree over leaves [lo, hi), from wherever they are kept. */
export type RangeHasher = (lo: number, hi: number) => Promise<Buffer>;

/** RFC 9162 2.1.3.1 PATH(m, D[lo:hi]): the audit path of leaf m, from the leaf upwards. */
export async function inclusionPath(hash: RangeHasher, m: number, lo: number, hi: number): Promise<Buffer[]> {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m - lo < k) return [...(await inclusionPath(hash, m, lo, lo + k)), await hash(lo + k, hi)];
  return [...(await inclusionPath(hash, m, lo + k, hi)), await hash(lo, lo + k)];
}

/** RFC 9162 2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export async function consistencyPath(hash: RangeHasher, m: number, n: number): Promise<Buffer[]> {
  if (m <= 0 || m >= n) return [];
  return subproof(hash, m, 0, n, true);
}

async function subproof(hash: RangeHasher, m: number, lo: number, hi: number, whole: boolean): Promise<Buffer[]> {
  const n = hi - lo;
  if (m === n) return whole ? [] : [await hash(lo, hi)];
  const k = splitPoint(n);
  if (m <= k) return [...(await subproof(hash, m, lo, lo + k, whole)), await hash(lo + k, hi)];
  return [...(await subproof(hash, m - k, lo + k, hi, false)), await hash(lo, lo + k)];
}

const lsb = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);
const isPowerOfTwo = (x: number) => x > 0 && (x & (x - 1)) === 0;

/** Why a proof does not verify; null when it does. RFC 9162 2.1.3.2. */
export function checkInclusion(index: number, size: number, leaf: Buffer, path: Buffer[], root: Buffer): string | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return "the leaf index is not a whole number";
  if (index >= size) return `leaf index ${index} is beyond the tree size ${size}`;
  if (leaf.length !== 32 || root.length !== 32 || path.some((p) => p.length !== 32)) return "a hash is not 32 bytes";
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return "the audit path is longer than the tree allows";
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!lsb(fn) && fn !== 0);
      }
    } else r = nodeHash(r, p);
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return "the audit path is shorter than the tree requires";
  if (!r.equals(root)) return "the audit path does not lead to the root hash";
  return null;
}

/** Why a consistency proof does not verify; null when it does. RFC 9162 2.1.4.2. */
export function checkConsistency(first: number, second: number, path: Buffer[], firstRoot: Buffer, secondRoot: Buffer): string | null {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0) return "the tree sizes are not whole numbers";
  if (first > second) return `the first tree (${first}) is larger than the second (${second})`;
  if (first === 0) return "a consistency proof from the empty tree proves nothing";
  if (first === second) {
    if (path.length > 0) return "equal tree sizes need an empty proof";
    return firstRoot.equals(secondRoot) ? null : "equal tree sizes but different root hashes";
  }
  if (firstRoot.length !== 32 || secondRoot.length !== 32 || path.some((p) => p.length !== 32)) return "a hash is not 32 bytes";
  if (path.length === 0) return "the proof is empty";
  const p = isPowerOfTwo(first) ? [firstRoot, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = p[0] as Buffer;
  let sr = fr;
  for (const c of p.slice(1)) {
    if (sn === 0) return "the proof is longer than the trees allow";
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!lsb(fn) && fn !== 0);
      }
    } else sr = nodeHash(sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return "the proof is shorter than the trees require";
  if (!fr.equals(firstRoot)) return "the proof does not lead to the first root hash";
  if (!sr.equals(secondRoot)) return "the proof does not lead to the second root hash";
  return null;
}

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest first (one per set bit of
 * the size). Appending a leaf touches only this edge, so the tree grows without re-reading it.
 */
export class Frontier {
  constructor(
    public size: number,
    public readonly edge: Buffer[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** Appends one leaf hash; `onNode(level, index, hash)` sees every perfect subtree it completes. */
  append(leaf: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    let h = leaf;
    let size = this.size;
    let level = 0;
    while (lsb(size)) {
      h = nodeHash(this.edge.pop() as Buffer, h);
      size = half(size);
      level += 1;
      onNode?.(level, (this.size + 1) / 2 ** level - 1, h);
    }
    this.edge.push(h);
    this.size += 1;
  }

  root(): Buffer {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let r = this.edge[this.edge.length - 1] as Buffer;
    for (let i = this.edge.length - 2; i >= 0; i -= 1) r = nodeHash(this.edge[i] as Buffer, r);
    return r;
  }

  serialize(): string {
    return `${this.size}:${this.edge.map((b) => b.toString("hex")).join(",")}`;
  }

  static parse(text: string): Frontier {
    const [size, edge] = text.split(":");
    const hashes = edge ? edge.split(",").map((h) => Buffer.from(h, "hex")) : [];
    return new Frontier(Number(size), hashes);
  }
}

/** SHA-256 as a 32-character latin1 ("binary") string: no Buffer allocated per digest. */
const digestLatin1: (data: Uint8Array) => string = oneShot ? (data) => oneShot("sha256", data, "binary") : (data) => createHash("sha256").update(data).digest("binary");

/**
 * The same right edge as `Frontier`, for the hot paths that append many leaves (full
 * verification, appends): each 32-byte hash held as a string, either 64 hex digits (a version 2
 * entry's hash, which is its leaf hash, kept as read) or 32 latin1 characters (a digest computed
 * here). A digest returned as a Buffer costs Node an allocation (and later garbage collection)
 * per hash, more than hashing a 65-byte node; a string does not, and is written into one reused
 * input buffer. The caller has checked each entry hash is 64 lower-case hex digits.
 */
export class LeanFrontier {
  private readonly leafIn = Buffer.alloc(33, 0);
  private readonly nodeIn = Buffer.alloc(65, 1);

  constructor(
    public size = 0,
    private readonly edge: string[] = [],
  ) {}

  static from(f: Frontier): LeanFrontier {
    return new LeanFrontier(
      f.size,
      f.edge.map((b) => b.toString("latin1")),
    );
  }

  toFrontier(): Frontier {
    return new Frontier(
      this.size,
      this.edge.map((h) => Buffer.from(h, h.length === 64 ? "hex" : "latin1")),
    );
  }

  /**
   * Appends the leaf of an entry whose chain hash is `entryHashHex`, in its hash version;
   * `onNode(level, index, hash)` sees every perfect subtree of `minLevel` or more it completes.
   */
  appendEntry(entryHashHex: string, hashVersion: number, onNode?: (level: number, index: number, hash: Buffer) => void, minLevel = 1): void {
    let h = entryHashHex;
    if (hashVersion < 2) {
      this.leafIn.write(entryHashHex, 1, 32, "hex");
      h = digestLatin1(this.leafIn);
    }
    let size = this.size;
    let level = 0;
    while (size % 2 === 1) {
      this.put(this.edge.pop() as string, 1);
      this.put(h, 33);
      h = digestLatin1(this.nodeIn);
      size = Math.floor(size / 2);
      level += 1;
      if (onNode && level >= minLevel) onNode(level, (this.size + 1) / 2 ** level - 1, Buffer.from(h, "latin1"));
    }
    this.edge.push(h);
    this.size += 1;
  }

  private put(h: string, offset: number): void {
    this.nodeIn.write(h, offset, 32, h.length === 64 ? "hex" : "latin1");
  }

  root(): Buffer {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let r = this.edge[this.edge.length - 1] as string;
    for (let i = this.edge.length - 2; i >= 0; i -= 1) {
      this.put(this.edge[i] as string, 1);
      this.put(r, 33);
      r = digestLatin1(this.nodeIn);
    }
    return Buffer.from(r, r.length === 64 ? "hex" : "latin1");
  }
}
