import { sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { CustodyEvent } from "../events/schema";
import { sourceColumnsOf, sourceKeyOf, trustOf, type FactSource } from "../evidence/source";
import { excluded } from "./merge";

const unknownSource: FactSource = { kind: "unknown", id: "", verified: false };

/** The source an event was stamped with at ingest (lib/ingest/ingest.ts sourcedEvents). */
export function originOf(e: CustodyEvent): FactSource {
  return (e as CustodyEvent & { origin?: FactSource }).origin ?? unknownSource;
}

/** True when source a outranks b: more trusted, or equally trusted with the smaller sender key. */
export function outranks(a: FactSource, b: FactSource): boolean {
  const ta = trustOf(a);
  const tb = trustOf(b);
  return ta > tb || (ta === tb && sourceKeyOf(a) < sourceKeyOf(b));
}

/**
 * One fact's events, reduced to the sender that stands: the most trusted one (ties broken by the
 * sender key, never by a client timestamp). Its events alone are folded into the row; the other
 * senders are remembered in `sourceKeys`, and their ledger entries stay.
 */
export function standingSender<E extends CustodyEvent>(group: E[]): { events: E[]; columns: ReturnType<typeof sourceColumnsOf> & { sourceKeys: string[] } } {
  let best: FactSource | null = null;
  for (const e of group) {
    const s = originOf(e);
    if (best === null || outranks(s, best)) best = s;
  }
  const winner = best ?? unknownSource;
  const key = sourceKeyOf(winner);
  const events = group.filter((e) => sourceKeyOf(originOf(e)) === key);
  // The newest of the standing sender's events names the source (its delivery id).
  const newest = events.reduce((a, b) => (Date.parse(b.occurredAt) >= Date.parse(a.occurredAt) ? b : a));
  const keys = [...new Set(group.map((e) => sourceKeyOf(originOf(e))))].sort();
  return { events, columns: { ...sourceColumnsOf(originOf(newest)), sourceKeys: keys } };
}

const trust = (verified: SQL, kind: SQL): SQL => sql`(case when ${verified} then 2 when ${kind} = 'unknown' then 0 else 1 end)`;

/**
 * SET clauses for an upsert that keeps the most trusted sender's version of a fact: a more trusted
 * sender (or, at equal trust, the smaller sender key) replaces the row; the same sender merges by
 * `sameSender` (its usual newer-wins rules); a less trusted one changes nothing but `sourceKeys`.
 * Commutative, so replay in any order yields the same row.
 */
export function bySender<T extends PgTable>(table: T, sameSender: Record<string, SQL>, tsKey?: string): Record<string, SQL> {
  const cols = table as unknown as Record<string, PgColumn>;
  const col = (k: string): PgColumn => {
    const c = cols[k];
    if (!c) throw new Error(`unknown column ${k}`);
    return c;
  };
  const exTrust = trust(excluded("sourceVerified"), excluded("sourceKind"));
  const rowTrust = trust(sql`${col("sourceVerified")}`, sql`${col("sourceKind")}`);
  const higher = sql`(${exTrust} > ${rowTrust} or (${exTrust} = ${rowTrust} and ${excluded("sourceKey")} < ${col("sourceKey")}))`;
  const same = sql`(${excluded("sourceKey")} = ${col("sourceKey")})`;
  const set: Record<string, SQL> = {};
  for (const [k, expr] of Object.entries(sameSender)) {
    set[k] = sql`case when ${higher} then ${excluded(k)} when ${same} then ${expr} else ${col(k)} end`;
  }
  const newer = tsKey ? sql`${excluded(tsKey)} >= ${col(tsKey)}` : sql`false`;
  set.sourceId = sql`case when ${higher} or (${same} and ${newer}) then ${excluded("sourceId")} else ${col("sourceId")} end`;
  for (const k of ["sourceKind", "sourceVerified", "sourceKey"]) set[k] = sql`case when ${higher} then ${excluded(k)} else ${col(k)} end`;
  set.sourceKeys = sql`array(select distinct t from unnest(${col("sourceKeys")} || ${excluded("sourceKeys")}) as t order by t)`;
  return set;
}
