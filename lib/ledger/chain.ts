import crypto, { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { chainHeads } from "@/db/schema";

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
