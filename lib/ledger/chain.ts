import { eq, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { chainHeads } from "@/db/schema";

export { GENESIS_HASH, sha256Hex, canonicalJson, chainHash } from "./hashing";
export type ChainName = "ledger" | "audit";

/**
 * Locks a chain's head row until the transaction ends. Every appender takes this lock, so any
 * number of processes sharing the database append one gapless chain; it lives in Postgres,
 * not in a process.
 */
export async function lockHead(tx: Queryable, chain: ChainName): Promise<{ seq: number; hash: string; frontier: string | null }> {
  const [row] = await queryRows<{ seq: string | number; hash: string; frontier: string | null }>(
    tx,
    sql`select seq, hash, frontier from chain_heads where chain = ${chain} for update`,
  );
  if (!row) throw new Error(`chain head ${chain} is missing: run the migrations`);
  return { seq: Number(row.seq), hash: row.hash, frontier: row.frontier };
}

/** Moves a chain's head; the ledger's also carries its Merkle frontier (lib/ledger/tree.ts). */
export async function setHead(tx: Queryable, chain: ChainName, seq: number, hash: string, frontier?: string): Promise<void> {
  await tx
    .update(chainHeads)
    .set(frontier === undefined ? { seq, hash } : { seq, hash, frontier })
    .where(eq(chainHeads.chain, chain));
}
