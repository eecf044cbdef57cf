import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import type { ExtractedEntry } from "../ledger/entry-check";

/** A ledger entry as SQL returns it, with every column its hash covers. */
export interface LedgerSqlRow {
  seq: string | number;
  source: string;
  event_type: string;
  delivery_id: string;
  content_type: string | null;
  received_at: Date | string;
  body: string;
  body_sha256: string;
  prev_hash: string;
  hash: string;
  status: string;
  reason: string | null;
  principal: string | null;
  hash_version: number;
}

/** A ledger row as the extract and the packages write it: every field its hash covers, in this order. */
export function extractedEntry(r: LedgerSqlRow): ExtractedEntry & { body: string } {
  return {
    seq: Number(r.seq),
    source: r.source,
    eventType: r.event_type,
    deliveryId: r.delivery_id,
    contentType: r.content_type,
    receivedAt: new Date(r.received_at).toISOString(),
    status: r.status,
    reason: r.reason,
    principal: r.principal,
    hashVersion: Number(r.hash_version),
    bodySha256: r.body_sha256,
    prevHash: r.prev_hash,
    hash: r.hash,
    body: r.body,
  };
}

/**
 * The ledger entries received in [from, to) as JSON lines, in seq order, with everything
 * `custody verify` needs to recompute each hash from its predecessor.
 */
export async function* ledgerExtract(db: Queryable, period: { from: Date; to: Date }, onRow: () => void = () => undefined, pageSize = 500): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await queryRows<LedgerSqlRow>(
      db,
      sql`select seq, source, event_type, delivery_id, content_type, received_at, body, body_sha256, prev_hash, hash, status, reason, principal, hash_version from ledger_events
          where received_at >= ${period.from} and received_at < ${period.to} and seq > ${after} order by seq limit ${pageSize}`,
    );
    for (const r of rows) {
      onRow();
      yield `${JSON.stringify(extractedEntry(r))}\n`;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = Number(last.seq);
  }
}
