import crypto from "node:crypto";
import type { LedgerEvent } from "@/db/schema";
import { F, type Tuple } from "./copy-rows";
import { ledgerEntryHash } from "./entry-hash";
import { GENESIS_HASH, sha256Hex } from "./hashing";
import { EMPTY_ROOT, LeanFrontier } from "./merkle";

/** The columns full verification reads of each entry. */
export type VerifiedEntry = Pick<LedgerEvent, "seq" | "source" | "eventType" | "deliveryId" | "contentType" | "receivedAt" | "body" | "bodySha256" | "prevHash" | "hash" | "status" | "reason"> &
  Partial<Pick<LedgerEvent, "principal" | "hashVersion">>;

const digestHex: (data: Uint8Array) => string =
  typeof crypto.hash === "function" ? (data) => crypto.hash("sha256", data, "hex") : (data) => crypto.createHash("sha256").update(data).digest("hex");

const HEX64 = /^[0-9a-f]{64}$/;

/** The first entry that does not hold: `reason` as verifyLedger words it, `message` naming the entry. */
export interface ChainProblem {
  seq: number;
  reason: string;
  message: string;
}

const ascii = (s: string) => Buffer.from(s, "latin1");
const K = {
  bodySha256: ascii('\n{"bodySha256":'),
  contentType: ascii(',"contentType":'),
  deliveryId: ascii(',"deliveryId":'),
  eventType: ascii(',"eventType":'),
  principal: ascii(',"principal":'),
  reason: ascii(',"reason":'),
  receivedAt: ascii(',"receivedAt":"'),
  seq: ascii('","seq":'),
  source: ascii(',"source":'),
  status: ascii(',"status":'),
  null: ascii("null"),
};
/** Microseconds between 1970-01-01 and Postgres's epoch, 2000-01-01 (binary timestamptz). */
const PG_EPOCH_MS = 946_684_800_000;

/**
 * One pass over the entries in seq order checking everything an auditor's full verification does:
 * each body against its SHA-256, each hash against its fields (in the entry's hash version) and
 * predecessor, no gap, and the Merkle tree grown over the entry hashes, with its root at the sizes
 * asked for (checkpoints to compare). Three SHA-256 digests per version 2 entry (body, chain hash
 * which is also the leaf, and on average one node; a version 1 entry adds its leaf).
 *
 * Entries arrive either as rows (`push`, PGlite and callers holding rows) or as the tuples of
 * Postgres's binary COPY stream (`pushTuple`): there the body is hashed as the bytes received and
 * the chain text is written byte for byte into one reused buffer, with no string or object per
 * column; `ledgerEntryText` stays the definition and a test holds the two equal.
 *
 * After the first entry that does not hold, the chain is not checked further but the tree keeps
 * growing over the hashes as stored, as the tree recomputation always did: a broken chain and a
 * rewritten tree are reported each on its own.
 */
export class LedgerVerifier {
  private prev: string;
  private expectedSeq: number;
  /** A segment that starts after entry 1 (parallel verification) takes its first link on trust; the caller compares `firstPrev` with the segment before. */
  private linkFirst: boolean;
  firstPrev: string | null = null;
  private readonly offset: number;
  private readonly frontier = new LeanFrontier();
  problem: ChainProblem | null = null;
  /** Why the tree could not be grown (an entry whose hash is not a SHA-256 in hex). */
  treeProblem: string | null = null;
  private wanted: number[] = [];
  private nextWanted = Infinity;
  readonly roots = new Map<number, string>();
  private w = Buffer.alloc(4096);
  private lastMs = NaN;
  private lastIso = ascii("");

  constructor(sizes: Iterable<number> = [], from: { seq: number; prev: string | null } = { seq: 1, prev: GENESIS_HASH }) {
    this.expectedSeq = from.seq;
    this.offset = from.seq - 1;
    this.prev = from.prev ?? GENESIS_HASH;
    this.linkFirst = from.prev === null;
    this.want(sizes);
  }

  /** Tree sizes whose root to keep (roots(size) once the pass reaches them). */
  want(sizes: Iterable<number>): void {
    this.wanted = [...new Set([...this.wanted, ...sizes])].filter((s) => s > this.frontier.size || s === 0).sort((a, b) => b - a);
    if (this.wanted.at(-1) === 0 && this.frontier.size === 0) {
      this.roots.set(0, EMPTY_ROOT.toString("hex"));
      this.wanted.pop();
    }
    this.nextWanted = this.wanted.at(-1) ?? Infinity;
  }

  private fail(seq: number, reason: string, message = `entry ${seq}: ${reason.replace(/^entry /, "")}`): string {
    this.problem = { seq, reason, message };
    return message;
  }

  private grow(hashHex: string, version: number): void {
    if (this.treeProblem) return;
    // A hash the chain check accepted equals a digest's hex; only one after a break needs looking at.
    if (hashHex.length !== 64 || ((this.problem || version < 2) && !HEX64.test(hashHex))) {
      this.treeProblem = `entry ${this.offset + this.frontier.size + 1} has a hash that is not a hex SHA-256`;
      return;
    }
    this.frontier.appendEntry(hashHex, version);
    if (this.frontier.size === this.nextWanted) {
      this.roots.set(this.nextWanted, this.frontier.root().toString("hex"));
      this.wanted.pop();
      this.nextWanted = this.wanted.at(-1) ?? Infinity;
    }
  }

  /** Null when the entry holds (or the chain broke before it); else why not. */
  push(e: VerifiedEntry): string | null {
    let problem: string | null = null;
    if (!this.problem) {
      if (e.seq !== this.expectedSeq) problem = this.fail(this.expectedSeq, `sequence gap: expected ${this.expectedSeq}`, `sequence gap: expected ${this.expectedSeq}, found ${e.seq}`);
      else if (sha256Hex(e.body) !== e.bodySha256) problem = this.fail(e.seq, "body does not match its SHA-256");
      else if (e.prevHash !== this.prev) problem = this.fail(e.seq, "previous hash does not match the entry before it");
      else if (ledgerEntryHash(this.prev, e) !== e.hash) problem = this.fail(e.seq, "entry hash does not match its fields", `entry ${e.seq}: hash does not match its fields`);
      else {
        this.prev = e.hash;
        this.expectedSeq += 1;
      }
    }
    this.grow(e.hash, e.hashVersion ?? 1);
    return problem;
  }

  /** An entry as a tuple of the COPY stream (lib/ledger/copy-rows.ts). */
  pushTuple(t: Tuple): void {
    const { buf, start, end } = t;
    const hashHex = buf.toString("latin1", start[F.hash], end[F.hash]);
    const version = buf.readInt16BE(start[F.hash_version] as number);
    if (!this.problem) this.checkTuple(t, hashHex, version);
    this.grow(hashHex, version);
  }

  private checkTuple(t: Tuple, hashHex: string, version: number): void {
    const { buf, start, end } = t;
    const s = start[F.seq] as number;
    const seq = buf.readInt32BE(s) * 4294967296 + buf.readUInt32BE(s + 4);
    if (seq !== this.expectedSeq) {
      this.fail(this.expectedSeq, `sequence gap: expected ${this.expectedSeq}`, `sequence gap: expected ${this.expectedSeq}, found ${seq}`);
      return;
    }
    if (digestHex(buf.subarray(start[F.body], end[F.body])) !== buf.toString("latin1", start[F.body_sha256], end[F.body_sha256])) {
      this.fail(seq, "body does not match its SHA-256");
      return;
    }
    if (this.linkFirst) {
      this.linkFirst = false;
      this.firstPrev = this.prev = buf.toString("latin1", start[F.prev_hash], end[F.prev_hash]);
    }
    if (buf.toString("latin1", start[F.prev_hash], end[F.prev_hash]) !== this.prev) {
      this.fail(seq, "previous hash does not match the entry before it");
      return;
    }
    if (this.chainDigest(t, seq, version) !== hashHex) {
      this.fail(seq, "entry hash does not match its fields", `entry ${seq}: hash does not match its fields`);
      return;
    }
    this.prev = hashHex;
    this.expectedSeq += 1;
  }

  // The chain text writer: bytes into `w` at `p`, from the tuple in `t` (methods, not closures:
  // nothing is allocated per entry).
  private p = 0;
  private t: Tuple | null = null;

  private raw(field: number): void {
    const { buf, start, end } = this.t as Tuple;
    const w = this.w;
    let p = this.p;
    for (let i = start[field] as number, e = end[field] as number; i < e; i += 1) w[p++] = buf[i] as number;
    this.p = p;
  }

  private put(bytes: Buffer): void {
    const w = this.w;
    let p = this.p;
    for (let i = 0; i < bytes.length; i += 1) w[p++] = bytes[i] as number;
    this.p = p;
  }

  /** A text column as ledgerEntryText writes it: `null`, or a JSON string. */
  private str(field: number): void {
    const { buf, start, end } = this.t as Tuple;
    const s = start[field] as number;
    const e = end[field] as number;
    if (s < 0) return this.put(K.null);
    for (let i = s; i < e; i += 1) {
      const c = buf[i] as number;
      // Outside printable ASCII, or `"` or `\`: JSON.stringify decides, as ledgerEntryText does.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.p += this.w.write(JSON.stringify(buf.toString("utf8", s, e)), this.p, "utf8");
        return;
      }
    }
    this.w[this.p++] = 0x22;
    this.raw(field);
    this.w[this.p++] = 0x22;
  }

  /** ledgerEntryHash of a COPY tuple: its chain text written from the bytes received, then hashed. */
  private chainDigest(t: Tuple, seq: number, version: number): string {
    const { buf, start, end } = t;
    // Every field but the body, each at most six bytes of JSON per byte received, and the constants.
    const bound = (t.to - t.from - ((end[F.body] as number) - (start[F.body] as number))) * 6 + 512;
    if (this.w.length < bound) this.w = Buffer.alloc(bound * 2);
    this.t = t;
    this.w[0] = 0;
    this.p = 1;
    this.raw(F.prev_hash);
    this.put(K.bodySha256);
    this.str(F.body_sha256);
    this.put(K.contentType);
    this.str(F.content_type);
    this.put(K.deliveryId);
    this.str(F.delivery_id);
    this.put(K.eventType);
    this.str(F.event_type);
    if (version >= 2) {
      this.put(K.principal);
      this.str(F.principal);
    }
    this.put(K.reason);
    this.str(F.reason);
    this.put(K.receivedAt);
    const r = start[F.received_at] as number;
    const ms = Math.floor((buf.readInt32BE(r) * 4294967296 + buf.readUInt32BE(r + 4)) / 1000) + PG_EPOCH_MS;
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = ascii(new Date(ms).toISOString());
    }
    this.put(this.lastIso);
    this.put(K.seq);
    this.p += this.w.write(String(seq), this.p, "latin1");
    this.put(K.source);
    this.str(F.source);
    this.put(K.status);
    this.str(F.status);
    this.w[this.p++] = 0x7d;
    this.t = null;
    return digestHex(this.w.subarray(version >= 2 ? 0 : 1, this.p));
  }

  get size(): number {
    return this.frontier.size;
  }

  /** The hash of the last entry that held (the genesis hash before any). */
  get head(): string {
    return this.prev;
  }

  /** Entries verified in order before the first that does not hold. */
  get verified(): number {
    return this.expectedSeq - 1;
  }

  root(): Buffer {
    return this.frontier.root();
  }
}

