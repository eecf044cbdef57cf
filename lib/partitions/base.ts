import { and, desc, eq, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { chainArchives, type ChainArchive } from "@/db/schema";
import { Frontier } from "../ledger/merkle";

const GENESIS_HASH = "0".repeat(64);

/** The newest archive of a chain: the boundary verification starts after. */
export async function latestArchive(db: Queryable, chain: "ledger" | "audit"): Promise<ChainArchive | null> {
  const [row] = await db.select().from(chainArchives).where(eq(chainArchives.chain, chain)).orderBy(desc(chainArchives.lastSeq), desc(chainArchives.id)).limit(1);
  return row ?? null;
}

/**
 * Where verification of a chain starts: after the archive whose last entry comes just before the
 * first entry still in the database (none when the database holds the chain from entry 1).
 */
export async function verificationBase(db: Queryable, chain: "ledger" | "audit"): Promise<{ after: number; hash: string; frontier: Frontier; archive: ChainArchive | null }> {
  const table = chain === "ledger" ? "ledger_events" : "audit_log";
  const [first] = await queryRows<{ seq: string | number | null }>(db, sql`select min(seq) as seq from ${sql.identifier(table)}`);
  const firstSeq = first?.seq == null ? null : Number(first.seq);
  const empty = { after: 0, hash: GENESIS_HASH, frontier: Frontier.empty(), archive: null };
  if (firstSeq === 1) return empty;
  const archive = firstSeq === null ? await latestArchive(db, chain) : await archiveEndingAt(db, chain, firstSeq - 1);
  if (!archive) return empty;
  return { after: archive.lastSeq, hash: archive.lastHash, frontier: archive.frontier ? Frontier.parse(archive.frontier) : Frontier.empty(), archive };
}

async function archiveEndingAt(db: Queryable, chain: string, lastSeq: number): Promise<ChainArchive | null> {
  const [row] = await db.select().from(chainArchives).where(and(eq(chainArchives.chain, chain), eq(chainArchives.lastSeq, lastSeq))).orderBy(desc(chainArchives.id)).limit(1);
  return row ?? null;
}

