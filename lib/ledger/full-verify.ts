import crypto from "node:crypto";
import type { LedgerEvent } from "@/db/schema";
import { GENESIS_HASH, sha256Hex } from "./chain";
import { ledgerEntryHash } from "./ledger";
import { EMPTY_ROOT } from "./merkle";

/** The columns full verification reads of each entry. */
export type VerifiedEntry = Pick<LedgerEvent, "seq" | "source" | "eventType" | "deliveryId" | "contentType" | "receivedAt" | "body" | "bodySha256" | "prevHash" | "hash" | "status" | "reason"> &
  Partial<Pick<LedgerEvent, "principal" | "hashVersion">>;

/** SHA-256 as a 32-character latin1 ("binary") string: no Buffer allocated per digest. */
const digest: (data: Buffer) => string =
  typeof crypto.hash === "function" ? (data) => crypto.hash("sha256", data, "binary") : (data) => crypto.createHash("sha256").update(data).digest("binary");

/**
 * The Merkle tree's right edge as full verification grows it: the same RFC 9162 tree as
 * `Frontier` (lib/ledger/merkle.ts), each 32-byte hash held as a string, either 64 hex digits (a
 * version 2 entry's hash, which is its leaf hash, kept as read) or 32 latin1 characters (a digest
 * computed here). A digest returned as a Buffer costs Node an allocation (and later garbage
 * collection) per hash, more than hashing a 65-byte node; a string does not, and is written into
 * one reused input buffer. The caller has checked each entry hash against a digest's hex.
 */
class LeanFrontier {
  size = 0;
  private readonly edge: string[] = [];
  private readonly leafIn = Buffer.alloc(33, 0);
  private readonly nodeIn = Buffer.alloc(65, 1);

  /** Appends the leaf of an entry whose chain hash is `entryHashHex`, in its hash version. */
  appendEntry(entryHashHex: string, hashVersion: number): void {
    let h = entryHashHex;
    if (hashVersion < 2) {
      this.leafIn.write(entryHashHex, 1, 32, "hex");
      h = digest(this.leafIn);
    }
    let size = this.size;
    while (size % 2 === 1) {
      this.put(this.edge.pop() as string, 1);
      this.put(h, 33);
      h = digest(this.nodeIn);
      size = Math.floor(size / 2);
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
      r = digest(this.nodeIn);
    }
    return Buffer.from(r, r.length === 64 ? "hex" : "latin1");
  }
}

/**
 * One pass over the entries in seq order checking everything an auditor's full verification does:
 * each body against its SHA-256, each hash against its fields (in the entry's hash version) and
 * predecessor, no gap, and the Merkle tree grown over the entry hashes (its root compared with a
 * checkpoint by the caller). Three SHA-256 digests per version 2 entry (body, chain hash which is
 * also the leaf, and on average one node; a version 1 entry adds its leaf), each over bytes already
 * in hand: the body as read, the chain text written once, node inputs in one reused buffer.
 */
export class LedgerVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private readonly frontier = new LeanFrontier();

  /** Null when the entry holds; else why not. */
  push(e: VerifiedEntry): string | null {
    if (e.seq !== this.expectedSeq) return `sequence gap: expected ${this.expectedSeq}, found ${e.seq}`;
    if (sha256Hex(e.body) !== e.bodySha256) return `entry ${e.seq}: body does not match its SHA-256`;
    if (e.prevHash !== this.prev) return `entry ${e.seq}: previous hash does not match the entry before it`;
    // Equal to a digest's lower-case hex, so the leaf below reads exactly 32 bytes from it.
    if (ledgerEntryHash(this.prev, e) !== e.hash) return `entry ${e.seq}: hash does not match its fields`;
    this.frontier.appendEntry(e.hash, e.hashVersion ?? 1);
    this.prev = e.hash;
    this.expectedSeq += 1;
    return null;
  }

  get size(): number {
    return this.frontier.size;
  }

  /** The hash of the last entry pushed (the genesis hash before any). */
  get head(): string {
    return this.prev;
  }

  root(): Buffer {
    return this.frontier.root();
  }
}
