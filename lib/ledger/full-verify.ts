import type { LedgerEvent } from "@/db/schema";
import { GENESIS_HASH, sha256Hex } from "./chain";
import { ledgerEntryHash } from "./ledger";
import { Frontier } from "./merkle";
import { entryLeafHash } from "./tree";

/**
 * One pass over the entries in seq order checking everything an auditor's full verification does:
 * each body against its SHA-256, each hash against its fields and predecessor, no gap, and the
 * Merkle tree grown over the entry hashes (its root compared with a checkpoint by the caller).
 */
export class LedgerVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  readonly frontier = Frontier.empty();

  /** Null when the entry holds; else why not. */
  push(e: Pick<LedgerEvent, "seq" | "source" | "eventType" | "deliveryId" | "contentType" | "receivedAt" | "body" | "bodySha256" | "prevHash" | "hash" | "status" | "reason">): string | null {
    if (e.seq !== this.expectedSeq) return `sequence gap: expected ${this.expectedSeq}, found ${e.seq}`;
    if (sha256Hex(e.body) !== e.bodySha256) return `entry ${e.seq}: body does not match its SHA-256`;
    if (e.prevHash !== this.prev) return `entry ${e.seq}: previous hash does not match the entry before it`;
    if (ledgerEntryHash(this.prev, e) !== e.hash) return `entry ${e.seq}: hash does not match its fields`;
    this.frontier.append(entryLeafHash(e.hash));
    this.prev = e.hash;
    this.expectedSeq += 1;
    return null;
  }

  get size(): number {
    return this.frontier.size;
  }

  root(): Buffer {
    return this.frontier.root();
  }
}
